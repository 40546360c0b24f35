package dev.lifeboat.repo.backend;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.util.Arrays;

/**
 * A backend that adds objects but never deletes or replaces one (the {@code append-only} setting), so
 * that a backup host cannot destroy what it backed up, by mistake or when compromised; forgetting,
 * pruning and key removal then run from a trusted host. Lock objects are exempt: taking, refreshing and
 * releasing a lock writes and deletes them, and no data depends on them.
 *
 * <p>A {@link #put} of an existing object is allowed when it holds exactly the same bytes, as it does
 * when a backup re-stores a content-addressed object (pack, index, snapshot); it is made with
 * {@link Backend#create} so that another writer cannot slip different content in between.
 *
 * <p>This guards the repository against this process only: a stolen storage credential can still
 * delete unless the storage itself refuses (S3 Object Lock, a key without delete permission).
 */
public final class AppendOnlyBackend extends ForwardingBackend {

    public AppendOnlyBackend(Backend delegate) {
        super(delegate);
    }

    @Override
    public void put(ObjectName name, byte[] data) {
        if (name.kind() == ObjectKind.LOCK || isPartialWal(name)) {
            delegate.put(name, data);
        } else if (!delegate.create(name, data) && !Arrays.equals(delegate.get(name), data)) {
            throw refused("replace", name);
        }
    }

    @Override
    public void delete(ObjectName name) {
        if (name.kind() != ObjectKind.LOCK && !isPartialWal(name)) {
            throw refused("delete", name);
        }
        delegate.delete(name);
    }

    private LifeboatException refused(String what, ObjectName name) {
        return new LifeboatException(ErrorCode.STORAGE_PERMANENT, "repository '" + location()
                + "' is append-only: refusing to " + what + " '" + name.path() + "'",
                "forget, prune and remove keys from a trusted host whose configuration does not set "
                        + "'append-only' (LIFEBOAT_APPEND_ONLY)");
    }

    /**
     * A partial WAL segment is replaced as it grows and deleted once the complete segment is stored; the
     * complete segment is immutable, so allowing this keeps 'wal stream' working without opening a way to
     * destroy data a restore relies on.
     */
    private static boolean isPartialWal(ObjectName name) {
        return name.kind() == ObjectKind.WAL && name.name().endsWith(".partial");
    }
}
