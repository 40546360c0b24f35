package dev.lifeboat.repo;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lifeboat.repo.chunker.ChunkerParams;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The repository config object: format version, repository id, chunker parameters and storage choices.
 * Written once by {@code init}, sealed with the master key.
 */
public record RepoConfig(
        @JsonProperty("version") int version,
        @JsonProperty("id") String id,
        @JsonProperty("created") Instant created,
        @JsonProperty("chunker") ChunkerParams chunker,
        @JsonProperty("compressionLevel") int compressionLevel,
        @JsonProperty("packSize") int packSize) {

    public static final int FORMAT_VERSION = 1;

    public RepoConfig {
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("repository format version " + version
                    + " is not supported (this Lifeboat reads version " + FORMAT_VERSION + ")");
        }
        if (compressionLevel < 0 || compressionLevel > 19) {
            throw new IllegalArgumentException("compression level must be 0 (off) to 19, got " + compressionLevel);
        }
        if (packSize < 1024 * 1024 || packSize > 512 * 1024 * 1024) {
            throw new IllegalArgumentException("pack size must be between 1 MiB and 512 MiB, got " + packSize);
        }
    }

    /** Defaults for a new repository: zstd level 3, 16 MiB packs, default chunk sizes with a random seed. */
    public static RepoConfig fresh() {
        return new RepoConfig(FORMAT_VERSION, UUID.randomUUID().toString(), Instant.now(),
                ChunkerParams.defaults(ThreadLocalRandom.current().nextLong()), 3, 16 * 1024 * 1024);
    }
}
