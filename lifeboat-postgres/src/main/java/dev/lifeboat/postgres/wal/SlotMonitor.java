package dev.lifeboat.postgres.wal;

import dev.lifeboat.postgres.ConnectionSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads a physical replication slot's state over an ordinary SQL connection (a walsender connection cannot
 * run queries): where the slot holds WAL from, how much WAL that retains, and the server's current timeline.
 */
final class SlotMonitor implements AutoCloseable {
    private static final String QUERY = """
            SELECT s.restart_lsn::text, s.wal_status, pg_is_in_recovery(),
                   CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_walfile_name(pg_current_wal_lsn()) END,
                   pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery()
                                        THEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
                                        ELSE pg_current_wal_lsn() END, s.restart_lsn)::bigint
            FROM pg_replication_slots s WHERE s.slot_name = ? AND s.slot_type = 'physical'""";
    private static final String EXISTS = "SELECT slot_type FROM pg_replication_slots WHERE slot_name = ?";
    private final Connection connection;
    private final String slot;

    /**
     * A slot's state.
     *
     * @param restartLsn     where the server keeps WAL from for the slot; null before the slot first reserves WAL
     * @param walStatus      {@code reserved}, {@code extended}, {@code unreserved} or {@code lost}
     * @param serverTimeline the timeline the server writes, or 0 on a standby
     * @param retainedBytes  WAL the slot keeps on the server, from its restart LSN to the server's current end
     */
    record Slot(Lsn restartLsn, String walStatus, int serverTimeline, long retainedBytes) {
    }

    SlotMonitor(ConnectionSpec spec, String slot) {
        this.connection = spec.connect();
        this.slot = slot;
    }

    /** The slot, or null when the server has no physical slot of that name. */
    Slot read() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(QUERY)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    refuseOtherKind();
                    return null;
                }
                String restart = rs.getString(1);
                String walFile = rs.getString(4);
                int timeline = walFile == null ? 0 : (int) Long.parseLong(walFile.substring(0, 8), 16);
                return new Slot(restart == null ? null : Lsn.parse(restart), rs.getString(2), timeline,
                        rs.getLong(5));
            }
        }
    }

    private void refuseOtherKind() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(EXISTS)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new SQLException("replication slot \"" + slot + "\" is a " + rs.getString(1)
                            + " slot, not a physical one", "42809");
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // already gone
        }
    }
}
