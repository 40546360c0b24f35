package dev.lifeboat.repo.snapshot;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Repository;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/** Reads a tree stream back node by node, loading one tree blob at a time. */
public final class TreeReader implements Iterator<Node> {
    private final Function<BlobId, byte[]> load;
    private final List<BlobId> blobs;
    private int nextBlob;
    private byte[] buf = new byte[0];
    private int pos;
    private Node next;

    public TreeReader(Repository repo, List<BlobId> blobs) {
        this(repo::loadBlob, blobs);
    }

    /** A reader that loads tree blobs with {@code load} instead of through the repository's index (prune). */
    public TreeReader(Function<BlobId, byte[]> load, List<BlobId> blobs) {
        this.load = load;
        this.blobs = blobs;
    }

    /** The nodes of a snapshot as an iterable, for for-each loops. */
    public static Iterable<Node> nodes(Repository repo, Snapshot snapshot) {
        return () -> new TreeReader(repo, snapshot.tree());
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = readNext();
        }
        return next != null;
    }

    @Override
    public Node next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Node n = next;
        next = null;
        return n;
    }

    private Node readNext() {
        while (true) {
            for (int i = pos; i < buf.length; i++) {
                if (buf[i] == '\n') {
                    Node n = Json.read(Arrays.copyOfRange(buf, pos, i), Node.class, "tree record");
                    pos = i + 1;
                    return n;
                }
            }
            if (nextBlob == blobs.size()) {
                if (pos < buf.length) {
                    throw LifeboatException.integrity("tree stream ends inside a record");
                }
                return null;
            }
            byte[] more = load.apply(blobs.get(nextBlob++));
            byte[] joined = new byte[buf.length - pos + more.length];
            System.arraycopy(buf, pos, joined, 0, buf.length - pos);
            System.arraycopy(more, 0, joined, buf.length - pos, more.length);
            buf = joined;
            pos = 0;
        }
    }
}
