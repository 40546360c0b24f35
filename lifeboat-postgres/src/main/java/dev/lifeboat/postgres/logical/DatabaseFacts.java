package dev.lifeboat.postgres.logical;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lifeboat.postgres.ConnectionSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What a backup records about a database so that a restore can be verified without asking anyone:
 * exact row counts per table and a fingerprint of the schema, taken in one transaction snapshot, and the
 * encoding and locale a restore creates the database with ({@code collate} and {@code ctype} are null in
 * snapshots taken before they were recorded).
 */
public record DatabaseFacts(
        @JsonProperty("name") String name,
        @JsonProperty("sizeBytes") long sizeBytes,
        @JsonProperty("encoding") String encoding,
        @JsonProperty("collate") String collate,
        @JsonProperty("ctype") String ctype,
        @JsonProperty("schemaFingerprint") String schemaFingerprint,
        @JsonProperty("tables") List<TableCount> tables) {

    public DatabaseFacts {
        tables = List.copyOf(tables);
    }

    private static final String USER_TABLES = "SELECT n.nspname, c.relname FROM pg_class c "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            + "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' "
            + "ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"";

    /** The catalog description hashed into the schema fingerprint: one sorted line per object. */
    private static final String SCHEMA_LINES = """
            SELECT line FROM (
              SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' '
                     || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                     || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                 AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
              UNION ALL
              SELECT 'constraint ' || n.nspname || '.' || c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
              UNION ALL
              SELECT 'index ' || pg_get_indexdef(i.indexrelid)
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
              UNION ALL
              SELECT 'view ' || n.nspname || '.' || c.relname || ' ' || pg_get_viewdef(c.oid)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              UNION ALL
              SELECT 'sequence ' || n.nspname || '.' || c.relname
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              UNION ALL
              SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid)
                     || ') ' || md5(coalesce(p.prosrc, ''))
                FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                 AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = p.oid AND dep.deptype = 'e')
              UNION ALL
              SELECT 'schema ' || nspname FROM pg_namespace
               WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg_toast%'
                 AND nspname NOT LIKE 'pg_temp%'
            ) lines ORDER BY line COLLATE "C"
            """;

    /** Collects the facts on a connection (inside the caller's transaction, if any). */
    public static DatabaseFacts collect(Connection c, ConnectionSpec spec) {
        return collect(c, spec, Map.of());
    }

    /**
     * As {@link #collect(Connection, ConnectionSpec)}, taking the row counts of the tables in {@code counted}
     * (keyed {@code List.of(schema, table)}, counted by {@link DumpRowCounter} from a dump of this snapshot)
     * from there and counting only the others.
     */
    public static DatabaseFacts collect(Connection c, ConnectionSpec spec, Map<List<String>, Long> counted) {
        try {
            String name;
            long size;
            String encoding;
            String collate;
            String ctype;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT current_database(), pg_database_size(current_database()), "
                         + "pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
                         + "WHERE datname = current_database()")) {
                rs.next();
                name = rs.getString(1);
                size = rs.getLong(2);
                encoding = rs.getString(3);
                collate = rs.getString(4);
                ctype = rs.getString(5);
            }
            List<TableCount> counts = new ArrayList<>();
            List<String[]> tables = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(USER_TABLES)) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] t : tables) {
                Long known = counted.get(List.of(t[0], t[1]));
                if (known != null) {
                    counts.add(new TableCount(t[0], t[1], known));
                    continue;
                }
                TableCount probe = new TableCount(t[0], t[1], 0);
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM ONLY " + probe.qualified())) {
                    rs.next();
                    counts.add(new TableCount(t[0], t[1], rs.getLong(1)));
                }
            }
            return new DatabaseFacts(name, size, encoding, collate, ctype, fingerprint(c), counts);
        } catch (SQLException e) {
            throw spec.error(e);
        }
    }

    /** SHA-256 of the sorted schema description. */
    public static String fingerprint(Connection c) throws SQLException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SCHEMA_LINES)) {
            while (rs.next()) {
                md.update(rs.getString(1).getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The recorded count of a table given as schema.table or table (public schema), or null. */
    public TableCount find(String qualified) {
        for (TableCount t : tables) {
            if (t.qualified().equals(qualified) || (t.schema() + "." + t.table()).equals(qualified)
                    || (t.schema().equals("public") && (t.table().equals(qualified)
                    || TableCount.quote(t.table()).equals(qualified)))) {
                return t;
            }
        }
        return null;
    }
}
