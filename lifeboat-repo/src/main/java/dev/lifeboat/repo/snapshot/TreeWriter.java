package dev.lifeboat.repo.snapshot;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.chunker.Chunker;
import dev.lifeboat.repo.chunker.ChunkerParams;
import dev.lifeboat.repo.pack.BlobType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a tree stream: one JSON object per line per node, in {@link PathOrder}, cut into tree blobs by
 * content-defined chunking so that a snapshot that differs in a few files shares most tree blobs with
 * its parent. Holds at most two maximum-size chunks in memory.
 */
public final class TreeWriter {
    private final RepoWriter writer;
    private final Chunker cutter;
    private final int maxSize;
    private final List<BlobId> blobs = new ArrayList<>();
    private byte[] buf;
    private int len;
    private String last;

    public TreeWriter(RepoWriter writer, ChunkerParams treeParams) {
        this.writer = writer;
        this.cutter = new Chunker(treeParams);
        this.maxSize = treeParams.maxSize();
        this.buf = new byte[maxSize * 2];
    }

    /** Appends a node; nodes must come in {@link PathOrder}. */
    public void add(Node node) {
        if (last != null && PathOrder.INSTANCE.compare(last, node.path()) >= 0) {
            throw new IllegalStateException("tree nodes out of order: '" + last + "' then '" + node.path() + "'");
        }
        last = node.path();
        byte[] line = Json.bytes(node);
        if (len + line.length + 1 > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + line.length + 1));
        }
        System.arraycopy(line, 0, buf, len, line.length);
        len += line.length;
        buf[len++] = '\n';
        while (len >= maxSize * 2) {
            emit(cutter.cut(buf, 0, len));
        }
    }

    private void emit(int n) {
        blobs.add(writer.save(BlobType.TREE, Arrays.copyOf(buf, n)));
        System.arraycopy(buf, n, buf, 0, len - n);
        len -= n;
    }

    /** Saves what is buffered and returns the ids of the tree blobs, in order. */
    public List<BlobId> finish() {
        while (len > 0) {
            emit(cutter.cut(buf, 0, len));
        }
        return List.copyOf(blobs);
    }
}
