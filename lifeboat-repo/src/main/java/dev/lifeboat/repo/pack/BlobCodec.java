package dev.lifeboat.repo.pack;

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

    public BlobCodec(MasterKey key, int level) {
        this.key = key;
        this.level = level;
        this.compressor = ThreadLocal.withInitial(() -> new ZstdCompressCtx().setLevel(Math.max(1, level)));
    }

    /** A blob encoded for storage. */
    public record Encoded(byte[] sealed, boolean compressed, int rawLength) {
    }

    public Encoded encode(byte[] plain) {
        if (level > 0 && worthCompressing(plain)) {
            byte[] packed = compressor.get().compress(plain);
            if (packed.length < plain.length - plain.length / 32) {
                return new Encoded(key.seal(packed, 0, packed.length), true, plain.length);
            }
        }
        return new Encoded(key.seal(plain, 0, plain.length), false, plain.length);
    }

    private boolean worthCompressing(byte[] plain) {
        if (plain.length <= SAMPLE * 2) {
            return true;
        }
        byte[] sample = Arrays.copyOfRange(plain, plain.length / 2, plain.length / 2 + SAMPLE);
        return sampler.get().compress(sample).length < SAMPLE * 15 / 16;
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
