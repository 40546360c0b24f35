package dev.lifeboat.postgres.wal;

import dev.lifeboat.postgres.ConnectionSpec;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyDual;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A physical replication connection to a server (a walsender), with the replication commands that WAL
 * streaming uses: IDENTIFY_SYSTEM, SHOW, TIMELINE_HISTORY, CREATE_REPLICATION_SLOT and START_REPLICATION.
 * pgjdbc's own physical stream cannot name a timeline, so START_REPLICATION is issued here and its copy
 * stream handed to the caller.
 */
public final class ReplicationConnection implements AutoCloseable {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|kB|MB|GB|TB)?");
    private final Connection connection;

    /** What IDENTIFY_SYSTEM says: the cluster, its current timeline and how far its WAL is flushed. */
    public record Identity(String systemId, int timeline, Lsn flushed) {
    }

    private ReplicationConnection(Connection connection) {
        this.connection = connection;
    }

    /** Opens a walsender connection in physical replication mode (the database of the spec is not used). */
    public static ReplicationConnection open(ConnectionSpec spec) {
        return new ReplicationConnection(spec.connect(Map.of("replication", "true", "assumeMinServerVersion", "10",
                "preferQueryMode", "simple")));
    }

    public Identity identifySystem() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
            return new Identity(rs.getString(1), rs.getInt(2), Lsn.parse(rs.getString(3)));
        }
    }

    /** The server's WAL segment size in bytes. */
    public long walSegmentSize() throws SQLException {
        String text;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_segment_size")) {
            rs.next();
            text = rs.getString(1);
        }
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new SQLException("unexpected wal_segment_size '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        return switch (unit) {
            case "kB" -> n << 10;
            case "MB" -> n << 20;
            case "GB" -> n << 30;
            case "TB" -> n << 40;
            default -> n;
        };
    }

    /** The content of a timeline's history file, as the server has it. */
    public byte[] timelineHistory(int timeline) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("TIMELINE_HISTORY " + timeline)) {
            rs.next();
            // the server sends the file's bytes unescaped whatever the column type says
            return rs.getString(2).getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Creates a physical slot that reserves WAL from now on.
     *
     * @return false when a slot of that name already exists
     */
    public boolean createPhysicalSlot(String slot) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE_REPLICATION_SLOT " + slot + " PHYSICAL RESERVE_WAL");
            return true;
        } catch (SQLException e) {
            if ("42710".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Starts streaming WAL of {@code timeline} from {@code start} through {@code slot}. The server sends
     * XLogData ('w') and keepalive ('k') messages; the caller answers with standby status updates ('r').
     */
    public CopyDual startPhysical(String slot, Lsn start, int timeline) throws SQLException {
        return connection.unwrap(PGConnection.class).getCopyAPI()
                .copyDual("START_REPLICATION SLOT " + slot + " PHYSICAL " + start + " TIMELINE " + timeline);
    }

    /** Makes a read that waits longer than {@code millis} for the server fail, so a dead network is noticed. */
    public void readTimeout(int millis) throws SQLException {
        connection.setNetworkTimeout(Runnable::run, millis);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the server or the network is already gone
        }
    }
}
