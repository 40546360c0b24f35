package dev.lifeboat.postgres.testing;

import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.PgProcess;
import dev.lifeboat.postgres.PgTools;
import dev.lifeboat.postgres.SampleDatabase;
import dev.lifeboat.postgres.cluster.LocalCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster shared by the tests of one class: created with {@link LocalCluster} in a
 * temporary folder before the first test, optionally seeded with {@link SampleDatabase}, and stopped and
 * deleted after the last one, also when seeding or a test fails (and, by a shutdown hook, when the JVM
 * is told to exit in between). Register it as
 * {@code @RegisterExtension static final PostgresCluster PG = PostgresCluster.withSample("shop", 10_000);}.
 *
 * <p>Tests of a class share the cluster, so each works in databases it names itself.
 */
public final class PostgresCluster implements BeforeAllCallback, AfterAllCallback {
    /** Durability is worth nothing in a throwaway cluster; these make seeding and restores faster. */
    private static final Map<String, String> FAST = Map.of("fsync", "off", "synchronous_commit", "off",
            "full_page_writes", "off");

    private final String sampleDatabase;
    private final int payments;
    private final Path parent;
    private Path root;
    private LocalCluster cluster;
    private Thread shutdownHook;

    private PostgresCluster(String sampleDatabase, int payments, Path parent) {
        this.sampleDatabase = sampleDatabase;
        this.payments = payments;
        this.parent = parent;
    }

    /** A cluster with only the databases initdb creates. */
    public static PostgresCluster empty() {
        return new PostgresCluster(null, 0, null);
    }

    /** A cluster with a database of this name holding {@link SampleDatabase} with so many payments rows. */
    public static PostgresCluster withSample(String database, int payments) {
        return new PostgresCluster(database, payments, null);
    }

    /** The same cluster, with its folder created inside {@code folder} instead of the system temporary folder. */
    public PostgresCluster inside(Path folder) {
        return new PostgresCluster(sampleDatabase, payments, folder);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        try {
            root = parent == null ? Files.createTempDirectory("lifeboat-pg-")
                    : Files.createTempDirectory(parent, "lifeboat-pg-");
            shutdownHook = new Thread(this::tearDown, "stop-test-cluster");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            cluster = LocalCluster.initdb(new PgTools(null, System.getenv()), root.resolve("data"), FAST);
            cluster.start();
            if (sampleDatabase != null) {
                createDatabase(sampleDatabase);
                SampleDatabase.create(connection(sampleDatabase), payments);
            }
        } catch (IOException | RuntimeException | Error e) {
            afterAll(context);
            throw e;
        }
    }

    /** Stops the server (killing it if a clean stop fails) and deletes its folder. */
    @Override
    public void afterAll(ExtensionContext context) {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // the JVM is already exiting and the hook runs anyway
            }
            shutdownHook = null;
        }
        tearDown();
    }

    private synchronized void tearDown() {
        try {
            if (cluster != null && cluster.isRunning()) {
                try {
                    cluster.stop();
                } catch (RuntimeException e) {
                    cluster.crash();
                }
            } else if (cluster != null && Files.exists(cluster.dataDir().resolve("postmaster.pid"))) {
                // a start that failed half-way may have left a server behind
                cluster.crash();
            }
            if (cluster != null) {
                cluster.delete();
            }
        } finally {
            cluster = null;
            deleteTree(root);
            root = null;
        }
    }

    /** The cluster itself, to stop, crash or read its log. */
    public LocalCluster cluster() {
        return cluster;
    }

    public int port() {
        return cluster.port();
    }

    /** The name of the seeded database, or null. */
    public String sampleDatabase() {
        return sampleDatabase;
    }

    /** A connection to a database of the cluster as the superuser postgres, over TCP without a password. */
    public ConnectionSpec connection(String database) {
        return cluster.connection(database);
    }

    /** Runs statements (several, separated by semicolons) in a database. */
    public void execute(String database, String sql) {
        ConnectionSpec spec = connection(database);
        try (Connection c = spec.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw spec.error(e);
        }
    }

    /** The first column of every row of a query, as text (null as "null"). */
    public List<String> query(String database, String sql) {
        ConnectionSpec spec = connection(database);
        List<String> out = new ArrayList<>();
        try (Connection c = spec.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(String.valueOf(rs.getString(1)));
            }
        } catch (SQLException e) {
            throw spec.error(e);
        }
        return out;
    }

    /** The single value of a query, as text. */
    public String value(String database, String sql) {
        List<String> rows = query(database, sql);
        if (rows.size() != 1) {
            throw new AssertionError("expected one row from '" + sql + "', got " + rows);
        }
        return rows.get(0);
    }

    /** Creates an empty database. */
    public void createDatabase(String name) {
        execute("postgres", "CREATE DATABASE " + quote(name));
    }

    /** Creates a database as a file-level copy of another one, which must have no sessions. */
    public void copyDatabase(String source, String name) {
        execute("postgres", "CREATE DATABASE " + quote(name) + " TEMPLATE " + quote(source));
    }

    /** The names of the databases that accept connections, templates left out, sorted. */
    public List<String> databases() {
        return query("postgres", "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate "
                + "ORDER BY datname COLLATE \"C\"");
    }

    /**
     * Exact row counts of every ordinary table outside the system schemas, keyed by schema.table, counted
     * with plain SQL so that tests do not trust the product's own counting.
     */
    public Map<String, Long> rowCounts(String database) {
        List<String> tables = query(database, "SELECT format('%I.%I', table_schema, table_name) "
                + "FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                + "AND table_schema NOT IN ('pg_catalog', 'information_schema') "
                + "ORDER BY table_schema COLLATE \"C\", table_name COLLATE \"C\"");
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String t : tables) {
            counts.put(t, Long.parseLong(value(database, "SELECT count(*) FROM ONLY " + t)));
        }
        return counts;
    }

    /**
     * The output of {@code pg_dump --schema-only} for a database, with a fixed \restrict key so that two
     * dumps of equal schemas are equal text.
     */
    public String schemaDump(String database) {
        PgTools.Tool pgDump = new PgTools(null, System.getenv()).forServer("pg_dump", cluster.major());
        return PgProcess.run(List.of(pgDump.path().toString(), "--schema-only", "--restrict-key=lifeboattest",
                "--no-password"), connection(database).childEnvironment(), false);
    }

    /**
     * Creates a login role that must give its password over TCP (scram-sha-256, ahead of the cluster's
     * trust rules in pg_hba.conf), and waits until the server applies the rule.
     */
    public ConnectionSpec roleWithPassword(String role, String password) {
        execute("postgres", "CREATE ROLE " + quote(role) + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
        Path hba = cluster.dataDir().resolve("pg_hba.conf");
        try {
            String rules = Files.readString(hba, StandardCharsets.UTF_8);
            Files.writeString(hba, "host all " + quote(role) + " 127.0.0.1/32 scram-sha-256\n" + rules,
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot edit " + hba, e);
        }
        value("postgres", "SELECT pg_reload_conf()");
        ConnectionSpec wrong = new ConnectionSpec("127.0.0.1", port(), role, "postgres", password + "-wrong", "disable");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (accepts(wrong)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the server did not apply the password rule for '" + role + "'");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return new ConnectionSpec("127.0.0.1", port(), role, "postgres", password, "disable");
    }

    private static boolean accepts(ConnectionSpec spec) {
        try (Connection ignored = spec.connect()) {
            return true;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete " + dir, e);
        }
    }
}
