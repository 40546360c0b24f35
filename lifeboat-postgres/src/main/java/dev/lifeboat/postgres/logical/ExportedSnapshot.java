package dev.lifeboat.postgres.logical;

import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.ServerInfo;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * A repeatable-read, read-only transaction whose snapshot is exported, so that pg_dump and the row
 * counts see exactly the same data. The transaction stays open until {@link #close()}, which must not
 * happen before pg_dump has finished.
 */
public final class ExportedSnapshot implements AutoCloseable {
    private final ConnectionSpec spec;
    private final Connection connection;
    private final String snapshotId;
    private final ServerInfo server;

    private ExportedSnapshot(ConnectionSpec spec, Connection connection, String snapshotId, ServerInfo server) {
        this.spec = spec;
        this.connection = connection;
        this.snapshotId = snapshotId;
        this.server = server;
    }

    public static ExportedSnapshot open(ConnectionSpec spec) {
        Connection c = spec.connect();
        try {
            ServerInfo server = ServerInfo.read(c);
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                try (ResultSet rs = s.executeQuery("SELECT pg_export_snapshot()")) {
                    rs.next();
                    return new ExportedSnapshot(spec, c, rs.getString(1), server);
                }
            }
        } catch (SQLException e) {
            closeQuietly(c);
            throw spec.error(e);
        }
    }

    /** The id to pass to pg_dump --snapshot. */
    public String id() {
        return snapshotId;
    }

    public ServerInfo server() {
        return server;
    }

    /**
     * Row counts and schema fingerprint as of the exported snapshot, the row counts of the tables in
     * {@code counted} taken from there (see {@link DumpRowCounter}).
     */
    public DatabaseFacts facts(Map<List<String>, Long> counted) {
        return DatabaseFacts.collect(connection, spec, counted);
    }

    @Override
    public void close() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is closed next anyway
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing to do
        }
    }
}
