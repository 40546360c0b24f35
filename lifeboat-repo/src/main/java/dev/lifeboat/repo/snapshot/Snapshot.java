package dev.lifeboat.repo.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.repo.BlobId;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot: the commit point of a backup. It names the tree blobs that list every node and records
 * what is needed to restore and verify without asking anyone. {@code details} holds source-specific
 * facts (certificates, PostgreSQL identity) defined by the engine.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Snapshot(
        @JsonProperty("version") int version,
        @JsonProperty("time") Instant time,
        @JsonProperty("type") String type,
        @JsonProperty("source") String source,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("username") String username,
        @JsonProperty("paths") List<String> paths,
        @JsonProperty("tags") List<String> tags,
        @JsonProperty("excludes") List<String> excludes,
        @JsonProperty("parent") BlobId parent,
        @JsonProperty("tree") List<BlobId> tree,
        @JsonProperty("summary") Summary summary,
        @JsonProperty("details") JsonNode details,
        @JsonProperty("appVersion") String appVersion) {

    public static final int VERSION = 1;

    public Snapshot {
        if (version != VERSION) {
            throw new IllegalArgumentException("unsupported snapshot version " + version);
        }
        if (time == null || type == null || tree == null) {
            throw new IllegalArgumentException("a snapshot needs time, type and tree");
        }
        paths = paths == null ? List.of() : List.copyOf(paths);
        tags = tags == null ? List.of() : List.copyOf(tags);
        excludes = excludes == null ? List.of() : List.copyOf(excludes);
        tree = List.copyOf(tree);
    }
}
