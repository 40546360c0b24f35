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
    /**
     * Read request size. Chunks are read straight into the caller's buffer and cut as the bytes arrive, so
     * only the bytes read beyond a cut (less than one read) are copied, once, to the start of the next chunk.
     * 64 KiB is a pipe's capacity, and below glibc's mmap threshold (the launcher sets 128 KiB) for the
     * native buffer the JDK passes each read through, so a read maps no memory.
     */
    private static final int READ_STEP = 64 * 1024;
    private final ChunkerParams params;
    private final long[] gear;
    private final long maskSmall;
    private final long maskLarge;
    private InputStream in;
    /** The bytes read beyond the last cut: the start of the next chunk. */
    private final byte[] carry;
    private int carryLength;
    private boolean eof;
    /** The gear hash of the chunk being cut, up to the last byte scanned. */
    private long hash;
    private byte[] scratch;

    /** A chunker used only through {@link #cut}, for callers that hold the data in memory. */
    public Chunker(ChunkerParams params) {
        this(params, InputStream.nullInputStream(), false);
    }

    public Chunker(ChunkerParams params, InputStream in) {
        this(params, in, true);
    }

    private Chunker(ChunkerParams params, InputStream in, boolean streaming) {
        this.params = params;
        this.gear = params.gearTable();
        int bits = Integer.numberOfTrailingZeros(params.avgSize());
        // the top bits of the gear hash depend on the last 64 bytes; test them
        this.maskSmall = topBits(bits + 2);
        this.maskLarge = topBits(bits - 2);
        this.in = in;
        this.carry = streaming ? new byte[READ_STEP] : null;
    }

    private static long topBits(int n) {
        return n <= 0 ? 0 : -1L << (64 - n);
    }

    /** Starts over on another stream (one chunker per thread serves many files). */
    public Chunker reset(InputStream stream) {
        this.in = stream;
        this.carryLength = 0;
        this.eof = false;
        return this;
    }

    /**
     * Reads the next chunk.
     *
     * @return the chunk's bytes (a new array of exactly its length), or null at the end of the stream
     */
    public byte[] next() throws IOException {
        if (scratch == null) {
            scratch = new byte[params.maxSize()];
        }
        int len = nextInto(scratch);
        return len < 0 ? null : Arrays.copyOf(scratch, len);
    }

    /**
     * Reads the next chunk into {@code into} (at least the maximum chunk size long), from its start. The
     * boundaries are those {@link #cut} finds on the whole stream held in memory, however the stream
     * delivers its bytes.
     *
     * @return the chunk's length, or -1 at the end of the stream
     */
    public int nextInto(byte[] into) throws IOException {
        if (carry == null) {
            throw new IllegalStateException("this chunker only cuts data held in memory");
        }
        int min = params.minSize();
        int max = params.maxSize();
        int n = carryLength;
        System.arraycopy(carry, 0, into, 0, n);
        carryLength = 0;
        hash = 0;
        int hashed = min;
        while (true) {
            if (hashed < n) {
                int length = scan(into, 0, hashed, n);
                if (length > 0) {
                    carryLength = n - length;
                    System.arraycopy(into, length, carry, 0, carryLength);
                    return length;
                }
                hashed = n;
            }
            if (n == max) {
                return n;
            }
            if (eof) {
                return n == 0 ? -1 : n;
            }
            int r = in.read(into, n, Math.min(READ_STEP, max - n));
            if (r < 0) {
                eof = true;
            } else {
                n += r;
            }
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
        hash = 0;
        int length = scan(data, off, min, max);
        return length > 0 ? length : max;
    }

    /**
     * Rolls the gear hash on over {@code data[off + from, off + to)} (positions relative to the chunk's start
     * at {@code off}, from the minimum size on): the chunk's length at the first boundary, or -1 when there is
     * none there. Positions below the average size test more bits than those above (normalized chunking).
     */
    private int scan(byte[] data, int off, int from, int to) {
        long h = hash;
        long[] g = gear;
        int i = from;
        for (int stop = Math.min(to, params.avgSize()); i < stop; i++) {
            h = (h << 1) + g[data[off + i] & 0xff];
            if ((h & maskSmall) == 0) {
                return i + 1;
            }
        }
        for (; i < to; i++) {
            h = (h << 1) + g[data[off + i] & 0xff];
            if ((h & maskLarge) == 0) {
                return i + 1;
            }
        }
        hash = h;
        return -1;
    }
}
