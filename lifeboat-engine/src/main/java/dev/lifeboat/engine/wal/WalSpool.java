package dev.lifeboat.engine.wal;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.wal.WalFile;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.ObjectNotFoundException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A spool folder between archive_command and the repository. archive_command only copies each WAL file into
 * it (durably, without opening the repository: no key derivation, no upload), and a long-running uploader
 * stores the files in the repository and removes them.
 *
 * <p>Layout: {@code <spool>/wal/<system id>-<file name>}, the same names as the repository's WAL objects but
 * neither compressed nor encrypted; writers put a file under a name starting with {@code .tmp-}, flush it and
 * rename it into place, so the uploader never sees half a file. Keep the folder on the server's disk with the
 * permissions of pg_wal: it holds WAL in clear.
 */
public final class WalSpool {
    private final Path dir;
    private final LocalBackend files;

    public WalSpool(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        this.files = new LocalBackend(this.dir);
    }

    public Path dir() {
        return dir;
    }

    /**
     * Checks a file the server archived and adds it to the spool; durable when this returns. The same file
     * twice is fine; other content under a name still in the spool is refused.
     *
     * @param dataDirSystemId the system identifier of the server's data directory (needed for history files)
     * @return false when the file is not kept (a backup history file)
     */
    public boolean add(String fileName, byte[] content, String dataDirSystemId) {
        WalFile file = WalFile.of(fileName);
        String fromHeader = file.check(content);
        if (file.kind() == WalFile.Kind.BACKUP) {
            return false;
        }
        String sysid = fromHeader != null ? fromHeader : dataDirSystemId;
        if (sysid == null) {
            throw LifeboatException.usage("cannot tell which cluster '" + fileName + "' belongs to",
                    "run the command in the server's data directory (archive_command does), or pass --system-id");
        }
        ObjectName name = new ObjectName(ObjectKind.WAL, sysid + "-" + fileName);
        if (file.kind() == WalFile.Kind.PARTIAL) {
            files.put(name, content);
            return true;
        }
        if (!files.create(name, content) && !Arrays.equals(files.get(name), content)) {
            throw new LifeboatException(ErrorCode.INTEGRITY, "the spool '" + dir + "' already holds WAL file '"
                    + fileName + "' of cluster " + sysid + " with different content",
                    "two servers with the same system identifier archive into one spool, or the file is damaged");
        }
        return true;
    }

    /** What one pass of the uploader did. */
    public record Drained(int stored, int alreadyStored, int skipped, List<String> failures) {
    }

    /** Reports each file the uploader handles. */
    public interface Listener {
        void pushed(WalArchive.Pushed pushed);

        void failed(String file, LifeboatException error);
    }

    /**
     * Uploads every file in the spool, in name order (history files before the segments of their timeline),
     * removing each once the repository has stored it. A file that fails stays in the spool for the next pass.
     */
    public Drained drain(WalArchive archive, boolean newCluster, Listener listener) {
        List<String> names = new ArrayList<>();
        files.list(ObjectKind.WAL, info -> names.add(info.name().name()));
        names.sort(null);
        int stored = 0;
        int already = 0;
        int skipped = 0;
        List<String> failures = new ArrayList<>();
        for (String n : names) {
            int dash = n.indexOf('-');
            String sysid = dash > 0 ? n.substring(0, dash) : "";
            String fileName = n.substring(dash + 1);
            ObjectName name = new ObjectName(ObjectKind.WAL, n);
            try {
                if (!sysid.matches("[0-9]{1,20}")) {
                    throw LifeboatException.usage("'" + n + "' in the spool is not named <system id>-<WAL file>",
                            "remove it from '" + dir.resolve("wal") + "'");
                }
                byte[] content = files.get(name);
                WalArchive.Pushed p = archive.push(fileName, content, sysid, newCluster);
                files.delete(name);
                switch (p.outcome()) {
                    case STORED -> stored++;
                    case ALREADY_STORED -> already++;
                    case SKIPPED -> skipped++;
                }
                listener.pushed(p);
            } catch (ObjectNotFoundException e) {
                // another uploader took it
            } catch (LifeboatException e) {
                failures.add(fileName);
                listener.failed(fileName, e);
            }
        }
        return new Drained(stored, already, skipped, List.copyOf(failures));
    }

    /**
     * Drains the spool again and again, {@code pause} apart, until {@code stop} says so; then drains once
     * more. Files that fail stay in the spool and are tried again on every pass.
     */
    public void run(WalArchive archive, boolean newCluster, Listener listener, java.time.Duration pause,
                    BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            drain(archive, newCluster, listener);
            long until = System.nanoTime() + pause.toNanos();
            while (!stop.getAsBoolean() && System.nanoTime() < until) {
                try {
                    Thread.sleep(Math.min(50, pause.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        drain(archive, newCluster, listener);
    }
}
