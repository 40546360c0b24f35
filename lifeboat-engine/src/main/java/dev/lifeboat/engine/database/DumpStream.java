package dev.lifeboat.engine.database;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobReader;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.Node;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;

/**
 * A dump read back from the repository as a stream, in order, with bounded memory; it hashes what it gives
 * out, so that {@link #verify} can compare the whole with the SHA-256 the backup recorded.
 */
final class DumpStream extends InputStream {
    private final Node node;
    private final Progress progress;
    private final BlobReader reader;
    private final Iterator<byte[]> chunks;
    private final MessageDigest sha;
    private byte[] chunk = new byte[0];
    private int pos;

    DumpStream(Repository repo, Node node, Progress progress) {
        this(node, progress, new BlobReader(repo));
    }

    /**
     * A stream for reading only the start of the dump: one reader thread, which reads ahead two chunks
     * rather than two per processor.
     */
    static DumpStream head(Repository repo, Node node) {
        return new DumpStream(node, Progress.NONE, new BlobReader(repo, 1));
    }

    private DumpStream(Node node, Progress progress, BlobReader reader) {
        this.node = node;
        this.progress = progress;
        this.reader = reader;
        this.chunks = reader.inOrder(node.content()).iterator();
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean next() {
        while (pos == chunk.length) {
            if (!chunks.hasNext()) {
                return false;
            }
            chunk = chunks.next();
            pos = 0;
            sha.update(chunk);
            progress.advance(chunk.length);
        }
        return true;
    }

    @Override
    public int read() {
        return next() ? chunk[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (!next()) {
            return -1;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    /**
     * Reads what is left and fails if the dump's SHA-256 differs from {@code expected}: a dump damaged in the
     * repository is reported, though only after its bytes were used.
     */
    void verify(String expected) throws IOException {
        skip(Long.MAX_VALUE);
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(expected)) {
            throw LifeboatException.integrity("dump '" + node.path() + "' has SHA-256 " + actual
                    + ", the backup recorded " + expected);
        }
    }

    @Override
    public long skip(long n) {
        long skipped = 0;
        while (skipped < n && next()) {
            int k = (int) Math.min(n - skipped, chunk.length - pos);
            pos += k;
            skipped += k;
        }
        return skipped;
    }

    @Override
    public void close() {
        reader.close();
    }
}
