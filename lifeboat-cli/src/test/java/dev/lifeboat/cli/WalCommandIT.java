package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.postgres.PgTools;
import dev.lifeboat.postgres.cluster.LocalCluster;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.testing.PostgresCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lifeboat wal push|fetch|verify|stream} as PostgreSQL and an operator run them: archive and restore
 * commands with their exit statuses, a gap found after a segment is deleted, and a stream stopped by SIGTERM.
 */
class WalCommandIT {
    @RegisterExtension
    static final PostgresCluster PG = PostgresCluster.empty();

    /** Three consecutive complete segments in the server's pg_wal. */
    static List<String> segments = new ArrayList<>();
    static String sysid;

    @TempDir
    Path dir;

    @BeforeAll
    static void completeThreeSegments() {
        sysid = PG.value("postgres", "SELECT system_identifier::text FROM pg_control_system()");
        // a slot keeps the segments in pg_wal for the tests to archive
        PG.value("postgres", "SELECT pg_create_physical_replication_slot('keep', true)::text");
        PG.execute("postgres", "CREATE TABLE t (id serial PRIMARY KEY, v text)");
        for (int i = 0; i < 3; i++) {
            PG.execute("postgres", "INSERT INTO t (v) VALUES ('row " + i + "')");
            segments.add(PG.value("postgres", "SELECT pg_walfile_name(pg_switch_wal())"));
        }
        assertThat(segments).doesNotHaveDuplicates();
    }

    private static Path inPgWal(String name) {
        return PG.cluster().dataDir().resolve("pg_wal").resolve(name);
    }

    private LifeboatCli lifeboat() {
        LifeboatCli lifeboat = new LifeboatCli(dir.resolve("repo"));
        lifeboat.ok("init");
        return lifeboat;
    }

    @Test
    void pushingASegmentTwiceSucceedsAndOtherContentUnderItsNameIsRefused() throws IOException {
        LifeboatCli lifeboat = lifeboat();
        String seg = segments.get(0);

        assertThat(lifeboat.ok("wal", "push", inPgWal(seg).toString()).out())
                .isEqualTo("stored WAL file " + seg + " of cluster " + sysid + "\n");
        assertThat(lifeboat.ok("wal", "push", inPgWal(seg).toString()).out())
                .isEqualTo("already stored WAL file " + seg + " of cluster " + sysid + "\n");

        byte[] changed = Files.readAllBytes(inPgWal(seg));
        changed[changed.length / 2] ^= 1;
        Path copy = Files.createDirectories(dir.resolve("elsewhere")).resolve(seg);
        Files.write(copy, changed);
        LifeboatCli.Run refused = lifeboat.run("wal", "push", copy.toString());

        assertThat(refused.exit()).as("%s", refused).isEqualTo(13);
        assertThat(refused.errLines()).containsExactly("lifeboat: the repository already holds WAL file '" + seg
                        + "' of cluster " + sysid + " with different content",
                "HINT: two servers with the same system identifier archive into one repository, or the file is damaged; "
                        + "give each cluster its own repository and check the server's WAL");
    }

    @Test
    void fetchWritesAStoredFileAndExitsOneWhenTheRepositoryDoesNotHaveIt() throws IOException {
        LifeboatCli lifeboat = lifeboat();
        String seg = segments.get(1);
        lifeboat.ok("wal", "push", inPgWal(seg).toString());
        Path target = Files.createDirectories(dir.resolve("restore").resolve("pg_wal")).resolve("RECOVERYXLOG");

        lifeboat.ok("wal", "fetch", seg, target.toString());
        assertThat(target).hasBinaryContent(Files.readAllBytes(inPgWal(seg)));
        assertThat(target.getParent().toFile().list()).containsExactly("RECOVERYXLOG");

        Files.delete(target);
        LifeboatCli.Run missing = lifeboat.run("wal", "fetch", segments.get(2), target.toString());
        assertThat(missing.exit()).as("%s", missing).isEqualTo(1);
        assertThat(missing.errLines()).containsExactly("lifeboat: the repository has no WAL file '" + segments.get(2)
                + "' of cluster " + sysid);
        assertThat(target).doesNotExist();
    }

    @Test
    void verifyNamesTheSegmentMissingAfterItsObjectIsDeleted() throws IOException {
        LifeboatCli lifeboat = lifeboat();
        for (String seg : segments) {
            lifeboat.ok("wal", "push", inPgWal(seg).toString());
        }
        assertThat(lifeboat.ok("wal", "verify").outLines()).containsExactly(
                "cluster " + sysid + ", timeline 1, from oldest segment: " + segments.get(0) + " .. " + segments.get(2)
                        + ", 3 segments",
                "cluster " + sysid + ": WAL is continuous");

        Files.delete(dir.resolve("repo").resolve("wal").resolve(sysid + "-" + segments.get(1)));
        LifeboatCli.Run gap = lifeboat.run("wal", "verify");

        assertThat(gap.exit()).as("%s", gap).isEqualTo(13);
        assertThat(gap.outLines()).contains("cluster " + sysid + ", timeline 1: gap: " + segments.get(1) + " missing");
        assertThat(gap.errLines().get(0)).isEqualTo("lifeboat: the WAL of cluster " + sysid + " has a gap: segment "
                + segments.get(1) + " is missing");
    }

    @Test
    void streamStoresACommitWithinAPartialAndStopsOnSigtermWithEverythingConfirmed() throws Exception {
        lifeboat();
        Path out = dir.resolve("stream.out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "wal", "stream", "--json",
                "--slot", "cli", "--db-url", "postgres://postgres@127.0.0.1:" + PG.port() + "/postgres"))
                .redirectOutput(out.toFile()).redirectError(dir.resolve("stream.err").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("LIFEBOAT_") || k.startsWith("PG"));
        env.put("LIFEBOAT_REPO", dir.resolve("repo").toString());
        env.put("LIFEBOAT_PASSWORD", LifeboatCli.PASSWORD);
        env.put("LIFEBOAT_WAL_PARTIAL_INTERVAL", "200ms");
        Process stream = pb.start();
        try {
            await("connected", () -> events(out).stream().anyMatch(e -> e.get("event").asText().equals("connected")));
            PG.execute("postgres", "INSERT INTO t (v) VALUES ('streamed')");
            Lsn written = Lsn.parse(PG.value("postgres", "SELECT pg_current_wal_insert_lsn()::text"));
            await("a partial holding the commit", () -> events(out).stream().anyMatch(e ->
                    e.get("event").asText().equals("partial") && Lsn.parse(e.get("upTo").asText()).compareTo(written) >= 0));
        } finally {
            stream.destroy();
            assertThat(stream.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(stream.exitValue()).as("exit status after SIGTERM; stderr: %s",
                Files.readString(dir.resolve("stream.err"))).isZero();
        List<JsonNode> events = events(out);
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("event").asText()).isEqualTo("stopped");
        assertThat(PG.value("postgres", "SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'cli'"))
                .as("the slot is confirmed exactly up to what was stored").isEqualTo(last.get("stored").asText());
    }

    @Test
    void archiveCommandSpoolsWithoutAJvmAndTheUploaderStoresEveryFile() throws Exception {
        LifeboatCli lifeboat = lifeboat();
        Path spool = Files.createDirectories(dir.resolve("spool"));
        LocalCluster.giveToPostgres(spool);
        Path script = Files.copy(Path.of("..", "scripts", "lifeboat-wal-spool"), dir.resolve("lifeboat-wal-spool"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalCluster archived = LocalCluster.initdb(new PgTools(null, System.getenv()), dir.resolve("archived"),
                Map.of("archive_mode", "on", "archive_command", "'" + script + " " + spool + " %p'")).start();
        try {
            String archivedId = value(archived, "SELECT system_identifier::text FROM pg_control_system()");
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                names.add(value(archived, "SELECT pg_walfile_name(pg_switch_wal())"));
                value(archived, "CREATE TABLE t" + i + " (id int)");
            }
            await("the server archived its segments", () -> Integer.parseInt(
                    value(archived, "SELECT archived_count FROM pg_stat_archiver")) >= names.size());
            assertThat(spool.resolve("wal").toFile().list()).contains(archivedId + "-" + names.get(1));

            assertThat(lifeboat.ok("wal", "spool", "--once", spool.toString()).outLines())
                    .contains("stored WAL file " + names.get(1) + " of cluster " + archivedId);
            assertThat(spool.resolve("wal").toFile().list()).isEmpty();
            assertThat(lifeboat.ok("wal", "verify").outLines()).contains("cluster " + archivedId + ": WAL is continuous");
        } finally {
            archived.close();
        }
    }

    /** Runs one statement on a cluster; the first value of its result, if it has one. */
    private static String value(LocalCluster c, String sql) {
        try (Connection conn = c.connection("postgres").connect(); Statement s = conn.createStatement()) {
            if (!s.execute(sql)) {
                return null;
            }
            try (ResultSet rs = s.getResultSet()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static List<JsonNode> events(Path file) {
        List<JsonNode> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("{") && line.endsWith("}")) {
                    out.add(new ObjectMapper().readTree(line));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
