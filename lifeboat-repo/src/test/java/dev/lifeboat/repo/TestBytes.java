package dev.lifeboat.repo;

/**
 * Deterministic test data: SplitMix64 written out here, so that golden files do not depend on how a JDK
 * implements its random generators.
 */
public final class TestBytes {
    private TestBytes() {
    }

    /** The SplitMix64 output for one input: a well-mixed long. */
    public static long mix(long x) {
        long z = x * 0x9E3779B97F4A7C15L + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** {@code length} pseudo-random bytes; the same seed always gives the same bytes. */
    public static byte[] random(long seed, int length) {
        byte[] out = new byte[length];
        long counter = mix(seed);
        for (int i = 0; i < length; i += 8) {
            long z = mix(counter++);
            for (int j = 0; j < 8 && i + j < length; j++) {
                out[i + j] = (byte) (z >>> (8 * j));
            }
        }
        return out;
    }

    /** A pseudo-random id; distinct seeds give distinct ids. */
    public static BlobId id(long seed) {
        return new BlobId(mix(4 * seed), mix(4 * seed + 1), mix(4 * seed + 2), mix(4 * seed + 3));
    }

    /** An id made of one byte value repeated, easy to recognise in golden files. */
    public static BlobId repeated(int byteValue) {
        return BlobId.parse("%02x".formatted(byteValue).repeat(BlobId.BYTES));
    }
}
