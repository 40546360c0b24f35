package dev.lifeboat.repo.pack;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.crypto.MasterKey;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Turns plaintext into stored blob bytes and back: zstd compression (skipped when a sample shows the
 * data does not compress), then AES-256-GCM.
 */
public final class BlobCodec {
    private static final int SAMPLE = 64 * 1024;
    private static final int SAMPLE_LEVEL = 1;
    /**
     * Native zstd contexts, shared by the whole process and reused by whichever thread needs one: creating one per
     * blob costs time and fragments native memory, and zstd-jni frees a context only when it is closed (it has
     * no cleaner), so contexts held per thread leaked about 1 MiB for every worker thread of every command, which
     * a resident process or the daemon never got back. See {@link #giveBack} for how many a pool keeps.
     */
    private static final ConcurrentHashMap<Integer, ConcurrentLinkedDeque<ZstdCompressCtx>> COMPRESSORS =
            new ConcurrentHashMap<>();
    private static final ConcurrentLinkedDeque<ZstdDecompressCtx> DECOMPRESSORS = new ConcurrentLinkedDeque<>();
    private static final AtomicInteger CONTEXTS = new AtomicInteger();
    private static final int POOL_LIMIT = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private final MasterKey key;
    private final int level;
    /** This thread's buffer for {@link #seal}, grown to the largest blob seen. */
    private final ThreadLocal<byte[]> sealBuffer = ThreadLocal.withInitial(() -> new byte[0]);

    public BlobCodec(MasterKey key, int level) {
        this.key = key;
        this.level = level;
    }

    /** Native zstd contexts this process created so far (for tests). */
    static int contextsCreated() {
        return CONTEXTS.get();
    }

    /**
     * Returns a context to its pool, or frees it when the pool holds enough already: a pool holds at most a few
     * per processor, so a rare burst of threads (or a level used once, whose contexts are large) is not kept.
     */
    private static <C extends Closeable> void giveBack(ConcurrentLinkedDeque<C> pool, C ctx) {
        if (pool.size() < POOL_LIMIT) {
            pool.offerFirst(ctx);
        } else {
            try {
                ctx.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A context from the pool, or a new one when the pool is empty. */
    private static <C> C take(ConcurrentLinkedDeque<C> pool, Supplier<C> create) {
        C ctx = pool.pollFirst();
        if (ctx == null) {
            ctx = create.get();
            CONTEXTS.incrementAndGet();
        }
        return ctx;
    }

    /** Compresses into {@code out} from {@code outOffset} with a pooled context of the level, given back afterwards. */
    private static int compress(int level, byte[] out, int outOffset, int outLength, byte[] in, int offset,
                                int length) {
        ConcurrentLinkedDeque<ZstdCompressCtx> pool = COMPRESSORS.computeIfAbsent(level,
                l -> new ConcurrentLinkedDeque<>());
        ZstdCompressCtx ctx = take(pool, () -> new ZstdCompressCtx().setLevel(level));
        try {
            return ctx.compressByteArray(out, outOffset, outLength, in, offset, length);
        } finally {
            giveBack(pool, ctx);
        }
    }

    /** The same key with another compression level (0 for none); this codec when the level is its own. */
    public BlobCodec withLevel(int compressionLevel) {
        return compressionLevel == level ? this : new BlobCodec(key, compressionLevel);
    }

    /** A blob encoded for storage. */
    public record Encoded(byte[] sealed, boolean compressed, int rawLength) {
        /** The same blob as a {@link Sealed} spanning the whole array. */
        public Sealed view() {
            return new Sealed(sealed, sealed.length, compressed, rawLength);
        }
    }

    /**
     * A blob sealed into this thread's reusable buffer: valid until the same thread seals the next blob,
     * so a backup allocates nothing per blob beyond the chunk itself.
     */
    public record Sealed(byte[] buffer, int length, boolean compressed, int rawLength) {
    }

    /** Like {@link #seal} but into a new array of exactly the sealed length. */
    public Encoded encode(byte[] plain) {
        Sealed s = seal(plain);
        return new Encoded(Arrays.copyOf(s.buffer(), s.length()), s.compressed(), s.rawLength());
    }

    /** Compresses (when worth it) and encrypts into this thread's buffer. */
    public Sealed seal(byte[] plain) {
        return seal(plain, plain.length);
    }

    /**
     * Like {@link #seal(byte[])} for the first {@code length} bytes of {@code plain}. The payload (compressed,
     * or a copy of the plaintext) is written into this thread's buffer after room for the nonce and sealed
     * there in place.
     */
    public Sealed seal(byte[] plain, int length) {
        int bound = Math.toIntExact(Zstd.compressBound(length));
        byte[] out = sealBuffer.get();
        if (out.length < bound + MasterKey.OVERHEAD) {
            out = new byte[bound + MasterKey.OVERHEAD];
            sealBuffer.set(out);
        }
        if (level > 0 && worthCompressing(plain, length, out)) {
            int n = compress(Math.max(1, level), out, MasterKey.NONCE_BYTES, bound, plain, 0, length);
            if (n < length - length / 32) {
                return new Sealed(out, key.sealInPlace(out, n), true, length);
            }
        }
        System.arraycopy(plain, 0, out, MasterKey.NONCE_BYTES, length);
        return new Sealed(out, key.sealInPlace(out, length), false, length);
    }

    /** Whether a sample from the middle compresses; {@code scratch} holds at least a sample's bound. */
    private boolean worthCompressing(byte[] plain, int length, byte[] scratch) {
        if (length <= SAMPLE * 2) {
            return true;
        }
        int n = compress(SAMPLE_LEVEL, scratch, 0, scratch.length, plain, length / 2, SAMPLE);
        return n < SAMPLE * 15 / 16;
    }

    /** Opens and decompresses stored bytes, checking they have the expected plaintext length. */
    public byte[] decode(byte[] sealed, int offset, int length, boolean compressed, int rawLength, String what) {
        return decode(sealed, offset, length, compressed, rawLength, what, Scratch.once());
    }

    /**
     * Like {@link #decode(byte[], int, int, boolean, int, String)}, but into the scratch's buffers: the
     * plaintext is the first {@code rawLength} bytes of the array returned, valid until the scratch is
     * used again.
     */
    public byte[] decode(byte[] sealed, int offset, int length, boolean compressed, int rawLength, String what,
                         Scratch scratch) {
        int payloadLength = Math.max(0, length - MasterKey.OVERHEAD);
        if (!compressed) {
            byte[] plain = scratch.plain(payloadLength);
            key.open(sealed, offset, length, plain, what);
            if (payloadLength != rawLength) {
                throw LifeboatException.integrity(what + " has " + payloadLength + " bytes, expected " + rawLength);
            }
            return plain;
        }
        byte[] payload = scratch.payload(payloadLength);
        key.open(sealed, offset, length, payload, what);
        byte[] out = scratch.plain(rawLength);
        long n;
        ZstdDecompressCtx ctx = take(DECOMPRESSORS, ZstdDecompressCtx::new);
        try {
            n = ctx.decompressByteArray(out, 0, rawLength, payload, 0, payloadLength);
        } catch (RuntimeException e) {
            throw LifeboatException.integrity(what + " does not decompress: " + e.getMessage());
        } finally {
            giveBack(DECOMPRESSORS, ctx);
        }
        if (n != rawLength) {
            throw LifeboatException.integrity(what + " decompressed to " + n + " bytes, expected " + rawLength);
        }
        return out;
    }

    /**
     * The buffers one thread decodes blobs into, reused from blob to blob so that reading many blobs does
     * not allocate per blob. Not thread-safe.
     */
    public static final class Scratch {
        private final boolean reused;
        private byte[] payload = new byte[0];
        private byte[] plain = new byte[0];

        private Scratch(boolean reused) {
            this.reused = reused;
        }

        /** Buffers for many blobs: they grow to twice their size at least, to the largest blob seen. */
        public static Scratch reused() {
            return new Scratch(true);
        }

        /** Buffers for one blob, sized exactly. */
        public static Scratch once() {
            return new Scratch(false);
        }

        byte[] payload(int length) {
            if (payload.length < length) {
                payload = new byte[grown(payload.length, length)];
            }
            return payload;
        }

        byte[] plain(int length) {
            if (plain.length < length) {
                plain = new byte[grown(plain.length, length)];
            }
            return plain;
        }

        private int grown(int size, int needed) {
            return reused ? (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * size)) : needed;
        }
    }

    public MasterKey key() {
        return key;
    }
}
