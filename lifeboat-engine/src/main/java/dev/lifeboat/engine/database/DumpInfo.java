package dev.lifeboat.engine.database;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lifeboat.postgres.logical.DatabaseFacts;

/** What a database snapshot records for one dumped database: where its dump is and how to verify it. */
public record DumpInfo(
        @JsonProperty("node") String node,
        @JsonProperty("format") String format,
        @JsonProperty("bytes") long bytes,
        @JsonProperty("sha256") String sha256,
        @JsonProperty("durationMillis") long durationMillis,
        @JsonProperty("facts") DatabaseFacts facts) {
}
