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
        byte[] payload = key.open(sealed, offset, length, what);
        if (!compressed) {
            if (payload.length != rawLength) {
                throw LifeboatException.integrity(what + " has " + payload.length + " bytes, expected " + rawLength);
            }
            return payload;
        }
        byte[] out = new byte[rawLength];
        long n;
        try {
            n = decompressor.get().decompressByteArray(out, 0, rawLength, payload, 0, payload.length);
        } catch (RuntimeException e) {
            throw LifeboatException.integrity(what + " does not decompress: " + e.getMessage());
        }
        if (n != rawLength) {
            throw LifeboatException.integrity(what + " decompressed to " + n + " bytes, expected " + rawLength);
        }
        return out;
    }

    public MasterKey key() {
        return key;
    }
}
