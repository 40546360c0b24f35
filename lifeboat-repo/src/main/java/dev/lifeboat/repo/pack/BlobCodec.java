package dev.lifeboat.repo.pack;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.crypto.MasterKey;

import java.util.Arrays;

/**
 * Turns plaintext into stored blob bytes and back: zstd compression (skipped when a sample shows the
 * data does not compress), then AES-256-GCM.
 */
public final class BlobCodec {
    private static final int SAMPLE = 64 * 1024;
    private final MasterKey key;
    private final int level;
    // one native zstd context per thread and level, reused: creating one per blob costs time and leaves
    // fragmented native memory behind
    private final ThreadLocal<ZstdCompressCtx> compressor;
    private final ThreadLocal<ZstdCompressCtx> sampler = ThreadLocal.withInitial(() -> new ZstdCompressCtx().setLevel(1));
    private final ThreadLocal<ZstdDecompressCtx> decompressor = ThreadLocal.withInitial(ZstdDecompressCtx::new);
    private final ThreadLocal<SealBuffers> sealBuffers = ThreadLocal.withInitial(SealBuffers::new);

    public BlobCodec(MasterKey key, int level) {
        this.key = key;
        this.level = level;
        this.compressor = ThreadLocal.withInitial(() -> new ZstdCompressCtx().setLevel(Math.max(1, level)));
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

    /** Like {@link #seal(byte[])} for the first {@code length} bytes of {@code plain}. */
    public Sealed seal(byte[] plain, int length) {
        SealBuffers scratch = sealBuffers.get();
        if (level > 0 && worthCompressing(plain, length, scratch)) {
            byte[] packed = scratch.compressed(length);
            int n = compressor.get().compressByteArray(packed, 0, packed.length, plain, 0, length);
            if (n < length - length / 32) {
                byte[] out = scratch.sealed(n);
                return new Sealed(out, key.sealInto(packed, 0, n, out), true, length);
            }
        }
        byte[] out = scratch.sealed(length);
        return new Sealed(out, key.sealInto(plain, 0, length, out), false, length);
    }

    private boolean worthCompressing(byte[] plain, int length, SealBuffers scratch) {
        if (length <= SAMPLE * 2) {
            return true;
        }
        byte[] packed = scratch.compressed(SAMPLE);
        int n = sampler.get().compressByteArray(packed, 0, packed.length, plain, length / 2, SAMPLE);
        return n < SAMPLE * 15 / 16;
    }

    /** Per-thread output buffers of {@link #seal}, grown to the largest blob seen. */
    private static final class SealBuffers {
        private byte[] compressed = new byte[0];
        private byte[] sealed = new byte[0];

        byte[] compressed(int plainLength) {
            int need = Math.toIntExact(Zstd.compressBound(plainLength));
            if (compressed.length < need) {
                compressed = new byte[need];
            }
            return compressed;
        }

        byte[] sealed(int payloadLength) {
            if (sealed.length < payloadLength + MasterKey.OVERHEAD) {
                sealed = new byte[payloadLength + MasterKey.OVERHEAD];
            }
            return sealed;
        }
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
        try {
            n = decompressor.get().decompressByteArray(out, 0, rawLength, payload, 0, payloadLength);
        } catch (RuntimeException e) {
            throw LifeboatException.integrity(what + " does not decompress: " + e.getMessage());
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
