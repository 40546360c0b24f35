package dev.lifeboat.repo.chunker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Content-defined chunking with FastCDC (gear rolling hash, normalized chunking at level 2): the same
 * content produces the same chunk boundaries wherever it sits in a stream, so unchanged regions are
 * stored once. Not thread-safe; one instance per stream.
 */
public final class Chunker {
    /** Room beyond one maximum chunk, so refills read in large pieces. */
    private static final int READ_SLACK = 512 * 1024;
    /**
     * Largest read request: the JDK passes each read of a file or pipe through a native buffer of the
     * request's size, cached per thread only up to 1 MiB (the launcher's jdk.nio.maxCachedBufferSize), and
     * larger ones left fragmented native memory behind.
     */
    private static final int READ_PIECE = 1024 * 1024;
    private final ChunkerParams params;
    private final long[] gear;
    private final long maskSmall;
    private final long maskLarge;
    private InputStream in;
    private final byte[] buf;
    private int start;
    private int end;
    private boolean eof;

    /** A chunker used only through {@link #cut}, for callers that hold the data in memory. */
    public Chunker(ChunkerParams params) {
        this(params, InputStream.nullInputStream(), false);
    }

    public Chunker(ChunkerParams params, InputStream in) {
        this(params, in, true);
    }

    private Chunker(ChunkerParams params, InputStream in, boolean buffered) {
        this.params = params;
        this.gear = params.gearTable();
        int bits = Integer.numberOfTrailingZeros(params.avgSize());
        // the top bits of the gear hash depend on the last 64 bytes; test them
        this.maskSmall = topBits(bits + 2);
        this.maskLarge = topBits(bits - 2);
        this.in = in;
        this.buf = new byte[buffered ? params.maxSize() + READ_SLACK : 0];
    }

    private static long topBits(int n) {
        return n <= 0 ? 0 : -1L << (64 - n);
    }

    /** Starts over on another stream, reusing the buffer (one chunker per thread serves many files). */
    public Chunker reset(InputStream stream) {
        this.in = stream;
        this.start = 0;
        this.end = 0;
        this.eof = false;
        return this;
    }

    /**
     * Reads the next chunk.
     *
     * @return the chunk's bytes (a new array of exactly its length), or null at the end of the stream
     */
    public byte[] next() throws IOException {
        int len = cutNext();
        if (len == 0) {
            return null;
        }
        byte[] chunk = Arrays.copyOfRange(buf, start, start + len);
        start += len;
        return chunk;
    }

    /**
     * Reads the next chunk into {@code into} (at least the maximum chunk size long), from its start.
     *
     * @return the chunk's length, or -1 at the end of the stream
     */
    public int nextInto(byte[] into) throws IOException {
        int len = cutNext();
        if (len == 0) {
            return -1;
        }
        System.arraycopy(buf, start, into, 0, len);
        start += len;
        return len;
    }

    /** Fills the buffer and returns the length of the chunk at its start (0 at the end of the stream). */
    private int cutNext() throws IOException {
        if (buf.length == 0) {
            throw new IllegalStateException("this chunker only cuts data held in memory");
        }
        fill();
        int available = end - start;
        return available == 0 ? 0 : cut(buf, start, available);
    }

    private void fill() throws IOException {
        if (eof || end - start >= params.maxSize()) {
            return;
        }
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        while (end < buf.length) {
            int n = in.read(buf, end, Math.min(READ_PIECE, buf.length - end));
            if (n < 0) {
                eof = true;
                return;
            }
            end += n;
        }
    }

    /**
     * The length of the chunk starting at {@code off} among {@code len} available bytes; the answer is
     * final when {@code len} is at least the maximum chunk size or the data ends there.
     */
    public int cut(byte[] data, int off, int len) {
        int min = params.minSize();
        if (len <= min) {
            return len;
        }
        int max = Math.min(len, params.maxSize());
        int normal = Math.min(max, params.avgSize());
        long h = 0;
        long[] g = gear;
        int i = off + min;
        int stop = off + normal;
        for (; i < stop; i++) {
            h = (h << 1) + g[data[i] & 0xff];
            if ((h & maskSmall) == 0) {
                return i - off + 1;
            }
        }
        stop = off + max;
        for (; i < stop; i++) {
            h = (h << 1) + g[data[i] & 0xff];
            if ((h & maskLarge) == 0) {
                return i - off + 1;
            }
        }
        return max;
    }
}
