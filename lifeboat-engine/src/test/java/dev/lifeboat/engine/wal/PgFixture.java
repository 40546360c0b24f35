package dev.lifeboat.engine.wal;

import dev.lifeboat.postgres.PgProcess;
import dev.lifeboat.postgres.PgTools;
import dev.lifeboat.postgres.cluster.LocalCluster;
import dev.lifeboat.postgres.wal.Lsn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/** Real PostgreSQL 15 clusters for WAL tests: primaries that can stream, standbys made with pg_basebackup. */
final class PgFixture {
    static final PgTools TOOLS = new PgTools(null, System.getenv());

    private PgFixture() {
    }

    /** A started cluster that accepts replication connections and keeps its WAL for a while. */
    static LocalCluster primary(Path dir) {
        return LocalCluster.initdb(TOOLS, dir, Map.of("wal_level", "replica", "max_wal_senders", "10",
                "max_replication_slots", "10", "wal_keep_size", "'256MB'", "hot_standby", "on")).start();
    }

    /** A started streaming standby of {@code primary}, made with pg_basebackup -R. */
    static LocalCluster standby(LocalCluster primary, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        LocalCluster.giveToPostgres(dir);
        PgProcess.run(List.of(TOOLS.forServer("pg_basebackup", primary.major()).path().toString(), "-D", dir.toString(),
                "-R", "-X", "stream", "-c", "fast", "-d", "host=127.0.0.1 port=" + primary.port() + " user=postgres"),
                Map.of(), true);
        return LocalCluster.existing(TOOLS, dir, LocalCluster.freePort()).start();
    }

    static String scalar(LocalCluster c, String sql) {
        try (Connection conn = c.connection("postgres").connect(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static void exec(LocalCluster c, String sql) {
        try (Connection conn = c.connection("postgres").connect(); Statement s = conn.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static String systemId(LocalCluster c) {
        return scalar(c, "SELECT system_identifier::text FROM pg_control_system()");
    }

    /**
     * Commits a row holding {@code marker} and returns the server's flushed WAL position after the commit:
     * the commit record ends at or before it.
     */
    static Lsn commit(LocalCluster c, String marker) {
        exec(c, "CREATE TABLE IF NOT EXISTS marks (id serial PRIMARY KEY, mark text NOT NULL)");
        exec(c, "INSERT INTO marks (mark) VALUES ('" + marker + "')");
        return Lsn.parse(scalar(c, "SELECT pg_current_wal_flush_lsn()::text"));
    }

    /** The slot's restart LSN: for a physical slot, the flush position its client confirmed last. */
    static Lsn restartLsn(LocalCluster c, String slot) {
        String v = scalar(c, "SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        return v == null ? null : Lsn.parse(v);
    }
}
