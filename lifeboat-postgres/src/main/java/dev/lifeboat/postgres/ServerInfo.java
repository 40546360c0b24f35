package dev.lifeboat.postgres;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Identity of a PostgreSQL server: version and the system identifier of its cluster. */
public record ServerInfo(
        @JsonProperty("version") String version,
        @JsonProperty("versionNum") int versionNum,
        @JsonProperty("systemIdentifier") String systemIdentifier) {

    public int major() {
        return versionNum / 10000;
    }

    /** Reads the server's identity; the system identifier is null when the role may not read it. */
    public static ServerInfo read(Connection c) throws SQLException {
        String version;
        int num;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version'), "
                     + "current_setting('server_version_num')::int")) {
            rs.next();
            version = rs.getString(1);
            num = rs.getInt(2);
        }
        String sysid = null;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT system_identifier::text FROM pg_control_system()")) {
            if (rs.next()) {
                sysid = rs.getString(1);
            }
        } catch (SQLException e) {
            if (!c.getAutoCommit()) {
                throw e;
            }
        }
        return new ServerInfo(version, num, sysid);
    }
}
