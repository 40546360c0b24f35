package dev.lifeboat.postgres.physical;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.ServerInfo;
import dev.lifeboat.postgres.wal.Lsn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A non-exclusive base backup in progress: {@code pg_backup_start} (pg_start_backup before PostgreSQL 15)
 * on a connection that stays open until {@link #stop()}, which returns the backup_label and tablespace_map
 * contents that a restore must write back. Works on a primary and on a standby.
 */
public final class BackupSession implements AutoCloseable {
    private final ConnectionSpec spec;
    private final Connection connection;
    private final ServerInfo server;
    private final Lsn startLsn;
    private final int timeline;
    private final String dataDirectory;
    private final List<Tablespace> tablespaces;
    private final boolean standby;
    private final long walSegmentSize;
    private final String catalogVersion;
    private boolean stopped;

    /** A tablespace outside the data directory. */
    public record Tablespace(String oid, String name, String location) {
    }

    /** What pg_backup_stop returned. */
    public record Stop(Lsn lsn, String backupLabel, String tablespaceMap, int timeline) {
    }

    private BackupSession(ConnectionSpec spec, Connection connection, ServerInfo server, Lsn startLsn, int timeline,
                          String dataDirectory, List<Tablespace> tablespaces, boolean standby, long walSegmentSize,
                          String catalogVersion) {
        this.spec = spec;
        this.connection = connection;
        this.server = server;
        this.startLsn = startLsn;
        this.timeline = timeline;
        this.dataDirectory = dataDirectory;
        this.tablespaces = tablespaces;
        this.standby = standby;
        this.walSegmentSize = walSegmentSize;
        this.catalogVersion = catalogVersion;
    }

    /** Starts a base backup with an immediate checkpoint. */
    public static BackupSession start(ConnectionSpec spec, String label) {
        Connection c = spec.connect();
        try {
            ServerInfo server = ServerInfo.read(c);
            if (server.systemIdentifier() == null) {
                throw new LifeboatException(ErrorCode.DATABASE, "role '" + spec.user() + "' may not read the system "
                        + "identifier of '" + spec.display() + "'", "run physical backups as a superuser or a member of "
                        + "pg_monitor with the pg_backup_start privilege");
            }
            String dataDir = scalar(c, "SELECT current_setting('data_directory')");
            boolean standby = Boolean.parseBoolean(scalar(c, "SELECT pg_is_in_recovery()::text"));
            long segSize = Long.parseLong(scalar(c, "SELECT setting::bigint * (CASE unit WHEN 'B' THEN 1 "
                    + "WHEN 'kB' THEN 1024 WHEN 'MB' THEN 1048576 ELSE 1 END) FROM pg_settings "
                    + "WHERE name = 'wal_segment_size'"));
            String catalog = scalar(c, "SELECT catalog_version_no::text FROM pg_control_system()");
            String walLevel = scalar(c, "SELECT current_setting('wal_level')");
            if ("minimal".equals(walLevel)) {
                throw new LifeboatException(ErrorCode.DATABASE, "wal_level is 'minimal' on '" + spec.display()
                        + "': physical backups cannot be restored from it", "set wal_level = replica and restart");
            }
            List<Tablespace> tablespaces = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT oid::text, spcname, pg_tablespace_location(oid) FROM pg_tablespace "
                         + "WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY oid")) {
                while (rs.next()) {
                    tablespaces.add(new Tablespace(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            String start = server.major() >= 15 ? "SELECT pg_backup_start(?, true)::text"
                    : "SELECT pg_start_backup(?, true, false)::text";
            Lsn startLsn;
            try (PreparedStatement ps = c.prepareStatement(start)) {
                ps.setString(1, label);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    startLsn = Lsn.parse(rs.getString(1));
                }
            }
            int timeline = Integer.parseInt(scalar(c, "SELECT timeline_id::text FROM pg_control_checkpoint()"));
            return new BackupSession(spec, c, server, startLsn, timeline, dataDir, List.copyOf(tablespaces), standby,
                    segSize, catalog);
        } catch (SQLException e) {
            close(c);
            throw spec.error(e);
        } catch (RuntimeException e) {
            close(c);
            throw e;
        }
    }

    /** Ends the backup; on a primary this also switches to a new WAL segment so the last one is complete. */
    public Stop stop() {
        String sql = server.major() >= 15 ? "SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(false)"
                : "SELECT lsn::text, labelfile, spcmapfile FROM pg_stop_backup(false, false)";
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            Lsn lsn = Lsn.parse(rs.getString(1));
            String label = rs.getString(2);
            String map = rs.getString(3);
            stopped = true;
            int tli = timeline;
            for (String line : label.lines().toList()) {
                if (line.startsWith("START TIMELINE: ")) {
                    tli = Integer.parseInt(line.substring("START TIMELINE: ".length()).trim());
                }
            }
            return new Stop(lsn, label, map == null || map.isEmpty() ? null : map, tli);
        } catch (SQLException e) {
            throw spec.error(e);
        }
    }

    /** Asks the primary to finish the current WAL segment (no effect on a standby). */
    public void switchWal() {
        if (!standby) {
            try (Statement s = connection.createStatement()) {
                s.execute("SELECT pg_switch_wal()");
            } catch (SQLException e) {
                throw spec.error(e);
            }
        }
    }

    /** The WAL location up to which segments are complete on the server (the current write position's segment start). */
    public Lsn currentWalLsn() {
        String sql = standby ? "SELECT pg_last_wal_receive_lsn()::text" : "SELECT pg_current_wal_lsn()::text";
        try {
            String v = scalar(connection, sql);
            return v == null ? Lsn.ZERO : Lsn.parse(v);
        } catch (SQLException e) {
            throw spec.error(e);
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    public ServerInfo server() {
        return server;
    }

    public Lsn startLsn() {
        return startLsn;
    }

    public int timeline() {
        return timeline;
    }

    public String dataDirectory() {
        return dataDirectory;
    }

    public List<Tablespace> tablespaces() {
        return tablespaces;
    }

    public boolean standby() {
        return standby;
    }

    public long walSegmentSize() {
        return walSegmentSize;
    }

    public String catalogVersion() {
        return catalogVersion;
    }

    /** Aborts a backup that was not stopped (the server ends it when the session closes). */
    @Override
    public void close() {
        close(connection);
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing ends the backup on the server
        }
    }

    public boolean stopped() {
        return stopped;
    }
}
