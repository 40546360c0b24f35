package dev.lifeboat.engine.database;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.logical.DatabaseFacts;
import dev.lifeboat.postgres.logical.TableCount;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Verifies a restored database against what its backup recorded: row counts per table (all, or the
 * critical ones), the schema fingerprint, and configured queries with expected results.
 */
public final class Verification {
    private Verification() {
    }

    /** One line of the verification table. */
    public record Check(@JsonProperty("check") String check, @JsonProperty("expected") String expected,
                        @JsonProperty("actual") String actual, @JsonProperty("ok") boolean ok) {
    }

    public static List<Check> run(ConnectionSpec target, DatabaseFacts recorded, List<String> criticalTables,
                                  List<VerifyQuery> queries) {
        List<Check> out = new ArrayList<>();
        DatabaseFacts now;
        try (Connection c = target.connect()) {
            now = DatabaseFacts.collect(c, target);
            List<TableCount> tables;
            if (criticalTables.isEmpty()) {
                tables = recorded.tables();
            } else {
                tables = new ArrayList<>();
                for (String t : criticalTables) {
                    TableCount tc = recorded.find(t);
                    if (tc == null) {
                        out.add(new Check("rows " + t, "(table in backup)", "not in backup", false));
                    } else {
                        tables.add(tc);
                    }
                }
            }
            for (TableCount t : tables) {
                TableCount actual = now.find(t.qualified());
                out.add(new Check("rows " + t.qualified(), Long.toString(t.rows()),
                        actual == null ? "missing" : Long.toString(actual.rows()),
                        actual != null && actual.rows() == t.rows()));
            }
            out.add(new Check("schema fingerprint", recorded.schemaFingerprint().substring(0, 16),
                    now.schemaFingerprint().substring(0, 16),
                    recorded.schemaFingerprint().equals(now.schemaFingerprint())));
            for (VerifyQuery q : queries) {
                out.add(query(c, q));
            }
        } catch (SQLException e) {
            throw target.error(e);
        }
        return out;
    }

    private static Check query(Connection c, VerifyQuery q) {
        String actual;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q.sql())) {
            actual = rs.next() ? Objects.toString(rs.getString(1), "null") : "(no row)";
        } catch (SQLException e) {
            actual = "error: " + (e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse(""));
        }
        return new Check("query " + q.sql(), q.expected(), actual, q.expected().equals(actual));
    }
}
