package dev.lifeboat.repo.chunker;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.SplittableRandom;

/**
 * Parameters of content-defined chunking, recorded in the repository config: chunk sizes and the
 * secret seed of the gear table (a per-repository seed keeps chunk boundaries from revealing content).
 */
public record ChunkerParams(
        @JsonProperty("minSize") int minSize,
        @JsonProperty("avgSize") int avgSize,
        @JsonProperty("maxSize") int maxSize,
        @JsonProperty("seed") long seed) {

    public ChunkerParams {
        if (Integer.bitCount(avgSize) != 1) {
            throw new IllegalArgumentException("chunker average size must be a power of two, got " + avgSize);
        }
        if (minSize < 64 || minSize >= avgSize || maxSize <= avgSize || maxSize > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("chunker sizes must satisfy 64 <= min < avg < max <= 64 MiB, got "
                    + minSize + "/" + avgSize + "/" + maxSize);
        }
    }

    /** Defaults for file contents and database streams: 256 KiB / 1 MiB / 4 MiB. */
    public static ChunkerParams defaults(long seed) {
        return new ChunkerParams(256 * 1024, 1024 * 1024, 4 * 1024 * 1024, seed);
    }

    /** Smaller chunks for tree (metadata) streams, so that one changed file rewrites little metadata. */
    public ChunkerParams forTrees() {
        return new ChunkerParams(16 * 1024, 64 * 1024, 256 * 1024, seed ^ 0x7472656573L);
    }

    /** The 256-entry gear table derived from the seed. */
    long[] gearTable() {
        SplittableRandom random = new SplittableRandom(seed);
        long[] gear = new long[256];
        for (int i = 0; i < gear.length; i++) {
            gear[i] = random.nextLong();
        }
        return gear;
    }
}
