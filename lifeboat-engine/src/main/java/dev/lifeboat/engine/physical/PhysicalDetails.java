package dev.lifeboat.engine.physical;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lifeboat.postgres.ServerInfo;
import dev.lifeboat.postgres.physical.BackupSession;
import dev.lifeboat.postgres.wal.Lsn;

import java.time.Instant;
import java.util.List;

/**
 * The manifest of a physical base backup ({@code details} of its snapshot): what a point-in-time restore
 * needs to check the target and to start recovery, recorded without asking the server again. Per-file
 * sizes and checksums are the tree's nodes (sizes and keyed content hashes).
 */
public record PhysicalDetails(
        @JsonProperty("kind") String kind,
        @JsonProperty("connection") String connection,
        @JsonProperty("server") ServerInfo server,
        @JsonProperty("systemIdentifier") String systemIdentifier,
        @JsonProperty("catalogVersion") String catalogVersion,
        @JsonProperty("dataDirectory") String dataDirectory,
        @JsonProperty("tablespaces") List<BackupSession.Tablespace> tablespaces,
        @JsonProperty("standby") boolean standby,
        @JsonProperty("timeline") int timeline,
        @JsonProperty("startLsn") Lsn startLsn,
        @JsonProperty("stopLsn") Lsn stopLsn,
        @JsonProperty("startWal") String startWal,
        @JsonProperty("stopWal") String stopWal,
        @JsonProperty("walSegmentSize") long walSegmentSize,
        @JsonProperty("stopTime") Instant stopTime,
        @JsonProperty("walComplete") boolean walComplete,
        @JsonProperty("backupLabel") String backupLabel,
        @JsonProperty("tablespaceMap") String tablespaceMap,
        @JsonProperty("label") String label) {

    public static final String PHYSICAL = "physical";

    public PhysicalDetails {
        tablespaces = tablespaces == null ? List.of() : List.copyOf(tablespaces);
    }
}
