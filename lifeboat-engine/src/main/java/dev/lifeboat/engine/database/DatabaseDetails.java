package dev.lifeboat.engine.database;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lifeboat.postgres.ServerInfo;

import java.util.List;

/**
 * The {@code details} of a database snapshot: the server's identity, the client program used, and per
 * database its dump and the facts recorded in the dump's transaction snapshot.
 */
public record DatabaseDetails(
        @JsonProperty("kind") String kind,
        @JsonProperty("connection") String connection,
        @JsonProperty("server") ServerInfo server,
        @JsonProperty("pgDump") String pgDump,
        @JsonProperty("databases") List<DumpInfo> databases,
        @JsonProperty("globals") String globals) {

    public static final String LOGICAL = "logical";

    public DatabaseDetails {
        databases = List.copyOf(databases);
    }

    /** The dump of the named database, or null. */
    public DumpInfo find(String name) {
        return databases.stream().filter(d -> d.facts().name().equals(name)).findFirst().orElse(null);
    }
}
