package dev.lifeboat.repo.snapshot;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a backup saw and added: counts, sizes and how long it took. */
public record Summary(
        @JsonProperty("files") long files,
        @JsonProperty("dirs") long dirs,
        @JsonProperty("symlinks") long symlinks,
        @JsonProperty("bytes") long bytes,
        @JsonProperty("newBlobs") long newBlobs,
        @JsonProperty("newBytes") long newBytes,
        @JsonProperty("storedBytes") long storedBytes,
        @JsonProperty("durationMillis") long durationMillis,
        @JsonProperty("errors") long errors) {
}
