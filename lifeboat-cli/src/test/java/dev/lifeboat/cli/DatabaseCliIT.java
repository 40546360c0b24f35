package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.postgres.cluster.LocalCluster;
import dev.lifeboat.postgres.testing.PostgresCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Database backups and restores through the command line against a throwaway PostgreSQL 15 cluster:
 * safety backups that undo a restore, verification that fails loudly, hooks, dry runs, whole-server
 * backups, and every way the database side can fail, each with its message and exit status and with
 * nothing lost (the repository checks clean and the original database is unchanged).
 */
class DatabaseCliIT {
    @RegisterExtension
    static final PostgresCluster PG = PostgresCluster.withSample("shop", 20_000);

    private static final String APP_PASSWORD = "Pa55-w0rd-app";
    private static final Pattern SAFETY = Pattern.compile(
            "safety backup: snapshot ([0-9a-f]{8}) \\(undo with 'lifeboat restore --type database \\1 --clean'\\)");

    private static Map<String, Long> shopCounts;

    @TempDir
    Path dir;

    @BeforeAll
    static void recordTheOriginal() {
        shopCounts = PG.rowCounts("shop");
        PG.roleWithPassword("app_owner", APP_PASSWORD);
        PG.execute("postgres", "ALTER ROLE app_owner SUPERUSER");
    }

    /** The CLI with a new repository, pointed at the cluster by PG* variables (database 'shop'). */
    private LifeboatCli lifeboat() {
        LifeboatCli lifeboat = new LifeboatCli(dir.resolve("repo"));
        lifeboat.env.putAll(Map.of("PGHOST", "127.0.0.1", "PGPORT", Integer.toString(PG.port()), "PGUSER", "postgres",
                "PGDATABASE", "shop", "PGPASSFILE", dir.resolve("no-pgpass").toString()));
        lifeboat.ok("init");
        return lifeboat;
    }

    private static String backup(LifeboatCli lifeboat, String... options) {
        List<String> args = new ArrayList<>(List.of("backup", "--type", "database", "--json"));
        args.addAll(List.of(options));
        return lifeboat.ok(args.toArray(String[]::new)).json().get("snapshot").asText();
    }

    private static List<JsonNode> snapshots(LifeboatCli lifeboat, String... options) {
        List<String> args = new ArrayList<>(List.of("snapshots", "--json"));
        args.addAll(List.of(options));
        List<JsonNode> out = new ArrayList<>();
        lifeboat.ok(args.toArray(String[]::new)).json().forEach(out::add);
        return out;
    }

    /** The repository is whole (every byte read back) and still holds the snapshots it had. */
    private static void assertRepositoryIntact(LifeboatCli lifeboat, int snapshots) {
        assertThat(snapshots(lifeboat)).hasSize(snapshots);
        assertThat(lifeboat.ok("check", "--read-data").outLines()).endsWith("no errors were found");
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    @Test
    void restoreWithCleanTakesATaggedSafetyBackupWhoseRestoreUndoesIt() {
        PG.copyDatabase("shop", "undo_app");
        LifeboatCli lifeboat = lifeboat();
        String backup = backup(lifeboat, "--database", "undo_app");
        PG.execute("undo_app", "DELETE FROM billing.payments WHERE id <= 100; "
                + "INSERT INTO public.users(email, name) VALUES ('late@example.com', 'Late Comer')");
        Map<String, Long> changed = PG.rowCounts("undo_app");

        LifeboatCli.Run restore = lifeboat.ok("restore", backup.substring(0, 8), "--clean", "--jobs", "1");

        assertThat(PG.rowCounts("undo_app")).isEqualTo(shopCounts);
        Matcher safety = restore.outLines().stream().map(SAFETY::matcher).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new AssertionError("no safety backup line in\n" + restore));
        List<JsonNode> tagged = snapshots(lifeboat, "--tag", "safety");
        assertThat(tagged).singleElement().satisfies(s -> {
            assertThat(s.get("id").asText()).startsWith(safety.group(1));
            assertThat(s.get("snapshot").get("source").asText()).isEqualTo("undo_app");
            assertThat(s.get("snapshot").get("tags")).extracting(JsonNode::asText)
                    .containsExactly("safety", "before-restore-" + backup.substring(0, 8));
        });

        LifeboatCli.Run undo = lifeboat.ok("restore", safety.group(1), "--clean", "--no-safety-backup");

        assertThat(undo.out()).doesNotContain("safety backup:");
        assertThat(PG.rowCounts("undo_app")).isEqualTo(changed);
        assertThat(PG.value("undo_app", "SELECT name FROM public.users WHERE email = 'late@example.com'"))
                .isEqualTo("Late Comer");
        assertRepositoryIntact(lifeboat, 2);
    }

    static Stream<Arguments> mismatches() {
        return Stream.of(
                arguments("a verification query returns another value", "mismatch_query",
                        "verify: [\"SELECT count(*) FROM public.users => 999\"]",
                        "query SELECT count\\(\\*\\) FROM public\\.users +999 +1000  MISMATCH"),
                arguments("a critical table is not in the backup", "mismatch_table",
                        "critical-tables: [billing.payments, billing.refunds]",
                        "rows billing\\.refunds +\\(table in backup\\) +not in backup  MISMATCH"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mismatches")
    void aVerificationMismatchIsReportedExitsTwentyAndSkipsThePostRestoreHook(String description, String target,
                                                                               String setting, String row)
            throws IOException {
        LifeboatCli lifeboat = lifeboat();
        String backup = backup(lifeboat);
        Path hooks = dir.resolve("hooks.log");
        Path config = file("lifeboat.yml", "database:\n  " + setting + "\n  hooks:\n"
                + "    pre-restore: echo pre >> '" + hooks + "'\n"
                + "    post-restore: echo post >> '" + hooks + "'\n");

        LifeboatCli.Run restore = lifeboat.run("restore", backup, "--to-database", target, "--config",
                config.toString());

        assertThat(restore.exit()).as("%s", restore).isEqualTo(20);
        assertThat(restore.outLines()).as("%s", restore).anySatisfy(l -> assertThat(l).matches(row));
        assertThat(restore.errLines()).containsExactly(
                "lifeboat: verification failed: 1 check(s) differ from the backup",
                "HINT: the post-restore hook was not run; inspect the database");
        assertThat(Files.readAllLines(hooks)).containsExactly("pre");
        assertThat(PG.databases()).as("the restored database is left to inspect").contains(target);
        assertThat(PG.rowCounts("shop")).isEqualTo(shopCounts);
    }

    @Test
    void hooksRunBeforeAndAfterAVerifiedRestoreAndKnowTheDatabase() throws IOException {
        LifeboatCli lifeboat = lifeboat();
        String backup = backup(lifeboat);
        Path hooks = dir.resolve("hooks.log");
        Path config = file("lifeboat.yml", "database:\n"
                + "  verify: [\"SELECT count(*) FROM public.users => 1000\", "
                + "\"SELECT name FROM public.users WHERE id = 4 => Ωmega 🚀\"]\n"
                + "  hooks:\n"
                + "    pre-restore: echo \"pre $LIFEBOAT_DATABASE\" >> '" + hooks + "'\n"
                + "    post-restore: echo \"post $LIFEBOAT_DATABASE\" >> '" + hooks + "'\n");

        LifeboatCli.Run restore = lifeboat.ok("restore", backup, "--to-database", "hooked", "--config",
                config.toString());

        assertThat(Files.readAllLines(hooks)).containsExactly("pre hooked", "post hooked");
        assertThat(restore.outLines()).anySatisfy(l -> assertThat(l).matches(
                "query SELECT name FROM public\\.users WHERE id = 4 +Ωmega 🚀 +Ωmega 🚀  ok"));
        assertThat(PG.rowCounts("hooked")).isEqualTo(shopCounts);
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() {
        LifeboatCli lifeboat = lifeboat();
        String backup = backup(lifeboat);
        List<String> databases = PG.databases();
        String server = "postgres://postgres@127.0.0.1:" + PG.port();

        LifeboatCli.Run replace = lifeboat.ok("restore", backup, "--clean", "--dry-run");
        LifeboatCli.Run beside = lifeboat.ok("restore", backup, "--to-database", "never_created", "--dry-run");

        assertThat(replace.outLines()).startsWith("restore plan:").endsWith("dry run: nothing was changed")
                .contains("  into            " + server + "/shop (exists: it will be DROPPED and recreated)",
                        "  safety backup   yes, before dropping",
                        "  restore         1 job(s): rows by COPY, schema and indexes by pg_restore",
                        "  verify          row counts of all 5 tables; schema fingerprint");
        assertThat(beside.outLines()).startsWith("restore plan:").endsWith("dry run: nothing was changed")
                .contains("  into            " + server + "/never_created (new database: it will be created)",
                        "  safety backup   not needed");
        assertThat(replace.outLines()).anySatisfy(l -> assertThat(l).matches("  estimated time  about .+"));
        assertThat(PG.databases()).isEqualTo(databases);
        assertThat(PG.rowCounts("shop")).isEqualTo(shopCounts);
        assertThat(snapshots(lifeboat)).as("no safety backup was taken").hasSize(1);
    }

    @Test
    void restoreOverAnExistingDatabaseWithoutCleanIsRefused() {
        LifeboatCli lifeboat = lifeboat();
        String backup = backup(lifeboat);

        LifeboatCli.Run restore = lifeboat.run("restore", backup);

        assertThat(restore.exit()).isEqualTo(18);
        assertThat(restore.errLines()).containsExactly(
                "lifeboat: database 'shop' already exists on '127.0.0.1:" + PG.port() + "'",
                "HINT: pass --clean to replace it (a safety backup is taken first), or --to-database NEW to restore "
                        + "beside it");
        assertThat(PG.rowCounts("shop")).isEqualTo(shopCounts);
        assertRepositoryIntact(lifeboat, 1);
    }

    @Test
    void backupAllSavesEveryDatabaseAndTheGlobalsAndRestoresAnyOneOfThem() {
        LifeboatCli lifeboat = lifeboat();
        List<String> databases = PG.databases();

        JsonNode all = lifeboat.ok("backup", "--type", "database", "--all", "--json").json();

        List<String> saved = new ArrayList<>();
        all.get("details").get("databases").forEach(d -> saved.add(d.get("facts").get("name").asText()));
        assertThat(saved).isEqualTo(databases).contains("postgres", "shop");
        assertThat(all.get("details").get("globals").asText()).isEqualTo("globals.sql");
        String id = all.get("snapshot").asText().substring(0, 8);
        LifeboatCli.Run ambiguous = lifeboat.run("restore", id, "--to-database", "from_all");
        assertThat(ambiguous.exit()).isEqualTo(2);
        assertThat(ambiguous.errLines()).containsExactly(
                "lifeboat: snapshot '" + id + "' holds " + databases.size() + " databases",
                "HINT: choose one with --database NAME: " + String.join(", ", databases));

        lifeboat.ok("restore", id, "--database", "shop", "--to-database", "from_all");

        assertThat(PG.rowCounts("from_all")).isEqualTo(shopCounts);
        assertThat(lifeboat.ok("ls", id).outLines()).contains("/globals.sql", "/databases/shop.dump");
    }

    @Test
    void aPasswordReachesPgDumpThroughTheEnvironmentAndIsStoredNowhere() {
        LifeboatCli lifeboat = lifeboat();
        String url = "postgres://app_owner:" + APP_PASSWORD + "@127.0.0.1:" + PG.port() + "/shop";

        LifeboatCli.Run backup = lifeboat.ok("backup", "--type", "database", "--db-url", url);

        assertThat(backup.out() + backup.err()).doesNotContain(APP_PASSWORD);
        assertThat(lifeboat.ok("snapshots", "--json").out()).doesNotContain(APP_PASSWORD)
                .contains("postgres://app_owner@127.0.0.1:" + PG.port() + "/shop");
    }

    static Stream<Arguments> unreachableDatabases() {
        int closed = LocalCluster.freePort();
        String port = Integer.toString(PG.port());
        return Stream.of(
                arguments("nothing listens on the port",
                        List.of("--db-url", "postgres://postgres@127.0.0.1:" + closed + "/shop"), 19,
                        "lifeboat: cannot connect to 'postgres://postgres@127.0.0.1:" + closed + "/shop': Connection to "
                                + "127.0.0.1:" + closed + " refused. Check that the hostname and port are correct and "
                                + "that the postmaster is accepting TCP/IP connections.",
                        "HINT: check that the server runs and that host and port are right"),
                arguments("the password is wrong",
                        List.of("--db-url", "postgres://app_owner:not-" + APP_PASSWORD + "@127.0.0.1:" + port + "/shop"),
                        19, "lifeboat: login refused by 'postgres://app_owner@127.0.0.1:" + port + "/shop': FATAL: "
                                + "password authentication failed for user \"app_owner\"",
                        "HINT: check the password (PGPASSWORD, ~/.pgpass or the URL) and pg_hba.conf"),
                arguments("the password is missing",
                        List.of("--db-url", "postgres://app_owner@127.0.0.1:" + port + "/shop"), 19,
                        "lifeboat: login refused by 'postgres://app_owner@127.0.0.1:" + port + "/shop': The server "
                                + "requested SCRAM-based authentication, but no password was provided.",
                        "HINT: check the password (PGPASSWORD, ~/.pgpass or the URL) and pg_hba.conf"),
                arguments("the database does not exist",
                        List.of("--database", "nope"), 14,
                        "lifeboat: database 'nope' does not exist on '127.0.0.1:" + port + "'",
                        "HINT: check the database name, or create it first"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreachableDatabases")
    void aBackupThatCannotReachTheDatabaseSaysWhyAndLosesNothing(String description, List<String> options, int exit,
                                                                 String message, String hint) {
        LifeboatCli lifeboat = lifeboat();
        backup(lifeboat);
        List<String> args = new ArrayList<>(List.of("backup", "--type", "database"));
        args.addAll(options);

        LifeboatCli.Run failed = lifeboat.run(args.toArray(String[]::new));

        assertThat(failed.exit()).as("%s", failed).isEqualTo(exit);
        assertThat(failed.errLines()).containsExactly(message, hint);
        assertThat(failed.err()).doesNotContain(APP_PASSWORD);
        assertRepositoryIntact(lifeboat, 1);
        assertThat(PG.rowCounts("shop")).isEqualTo(shopCounts);
    }

    static Stream<Arguments> clientPrograms() {
        return Stream.of(
                arguments("a backup when pg_dump is nowhere", "pg_dump", null, List.of("backup", "--type", "database"),
                        "lifeboat: pg_dump not found on PATH or under /usr/lib/postgresql/*/bin",
                        "HINT: install the PostgreSQL client programs (Debian: apt-get install postgresql-client-15), or "
                                + "set postgres.bin-dir"),
                arguments("a backup when the only pg_dump is 9.6", "pg_dump", "9.6.24",
                        List.of("backup", "--type", "database"),
                        "lifeboat: pg_dump 15 or newer is needed for a PostgreSQL 15 server; found only pg_dump 9.6 "
                                + "(BIN/pg_dump)",
                        "HINT: install postgresql-client-15 or newer, or set postgres.bin-dir to its bin folder"),
                arguments("a restore over a database when the only pg_restore is 9.6", "pg_restore", "9.6.24",
                        List.of("restore", "SNAPSHOT", "--clean", "--no-safety-backup"),
                        "lifeboat: pg_restore 15 or newer is needed for a PostgreSQL 15 server; found only pg_restore "
                                + "9.6 (BIN/pg_restore)",
                        "HINT: install postgresql-client-15 or newer, or set postgres.bin-dir to its bin folder"));
    }

    /**
     * Lifeboat always looks under /usr/lib/postgresql too, so this runs the CLI in a child JVM in its own
     * mount namespace where that folder is an empty tmpfs: the host's installation stays untouched. A fake
     * program in postgres.bin-dir (LIFEBOAT_PG_BIN) prints an old version.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("clientPrograms")
    void withoutASuitableClientProgramLifeboatSaysWhatToInstallAndLosesNothing(String description, String program,
                                                                             String fakeVersion, List<String> args,
                                                                             String message, String hint)
            throws IOException, InterruptedException {
        String hide = "/bin/mount -t tmpfs -o size=64k lifeboat-test /usr/lib/postgresql";
        assumeTrue(run(List.of("/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", hide),
                Map.of()).exit() == 0, "needs root and a new mount namespace (unshare) to hide /usr/lib/postgresql");
        String database = "no_" + program + (fakeVersion == null ? "" : "_old");
        PG.copyDatabase("shop", database);
        LifeboatCli lifeboat = lifeboat();
        String snapshot = backup(lifeboat, "--database", database);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Map<String, String> env = new java.util.HashMap<>(lifeboat.env);
        env.put("PGDATABASE", database);
        env.put("PATH", bin.toString());
        if (fakeVersion != null) {
            Path fake = Files.writeString(bin.resolve(program), "#!/bin/sh\necho '" + program + " (PostgreSQL) "
                    + fakeVersion + "'\n");
            Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
            env.put("LIFEBOAT_PG_BIN", bin.toString());
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private",
                "/bin/sh", "-c", hide + " && exec \"$@\"", "sh", ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        args.forEach(a -> command.add(a.equals("SNAPSHOT") ? snapshot : a));

        Child failed = run(command, env);

        assertThat(failed.exit()).as("%s", failed).isEqualTo(19);
        assertThat(failed.err().lines().toList()).as("%s", failed)
                .containsExactly(message.replace("BIN", bin.toString()), hint);
        assertRepositoryIntact(lifeboat, 1);
        assertThat(PG.rowCounts(database)).isEqualTo(shopCounts);
    }

    private record Child(int exit, String out, String err) {
    }

    private Child run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "child", ".out");
        Path err = Files.createTempFile(dir, "child", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Child(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * A parallel restore copies the dump to --temp-dir first; on a full disk that copy fails before the
     * database is dropped or a safety backup is taken.
     */
    @Test
    void aParallelRestoreNeedsRoomOnlyForTheTableOfContentsAndFailsCleanlyWithoutIt()
            throws IOException, InterruptedException {
        Path tiny = Files.createDirectories(dir.resolve("tiny"));
        assumeTrue(run(List.of("/bin/mount", "-t", "tmpfs", "-o", "size=1m", "lifeboat-test", tiny.toString()),
                Map.of()).exit() == 0, "needs root to mount a 1 MiB tmpfs");
        try {
            PG.copyDatabase("shop", "full_disk");
            LifeboatCli lifeboat = lifeboat();
            String backup = backup(lifeboat, "--database", "full_disk");
            long dumpBytes = lifeboat.ok("snapshots", "--json").json().get(0).get("snapshot").get("details")
                    .get("databases").get(0).get("bytes").asLong();
            assertThat(dumpBytes).as("the dump is larger than the temporary folder").isGreaterThan(1 << 20);
            Path filler = tiny.resolve("filler");
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] block = new byte[4096];
                while (true) {
                    out.write(block);
                    out.flush();
                }
            } catch (IOException full) {
                // the folder is full now
            }

            LifeboatCli.Run failed = lifeboat.run("restore", backup, "--clean", "--jobs", "2", "--temp-dir",
                    tiny.toString());

            assertThat(failed.exit()).as("%s", failed).isEqualTo(1);
            assertThat(failed.errLines().get(0)).startsWith("lifeboat: cannot write the dump's table of contents in '"
                    + tiny + "': ");
            assertThat(failed.errLines().get(1)).isEqualTo("HINT: point --temp-dir at a writable folder");
            try (Stream<Path> left = Files.list(tiny)) {
                assertThat(left).as("nothing is left behind").containsExactly(filler);
            }
            assertThat(PG.rowCounts("full_disk")).isEqualTo(shopCounts);

            Files.delete(filler);
            lifeboat.ok("restore", backup, "--clean", "--jobs", "2", "--temp-dir", tiny.toString());

            assertThat(PG.rowCounts("full_disk")).isEqualTo(shopCounts);
            try (Stream<Path> left = Files.list(tiny)) {
                assertThat(left).as("no temporary file is left behind").isEmpty();
            }
            assertRepositoryIntact(lifeboat, 2);
        } finally {
            run(List.of("/bin/umount", tiny.toString()), Map.of());
        }
    }

    @Test
    void aRestoreWhoseTempDirIsAFileSaysSoBeforeDroppingAnything() throws IOException {
        PG.copyDatabase("shop", "temp_is_file");
        LifeboatCli lifeboat = lifeboat();
        String backup = backup(lifeboat, "--database", "temp_is_file");
        Path notADir = file("not-a-dir", "x");

        LifeboatCli.Run restore = lifeboat.run("restore", backup, "--clean", "--jobs", "2", "--temp-dir", notADir.toString());

        assertThat(restore.exit()).as("%s", restore).isEqualTo(1);
        assertThat(restore.errLines()).containsExactly(
                "lifeboat: cannot write the dump's table of contents in '" + notADir + "': it is not a directory",
                "HINT: point --temp-dir at a writable folder");
        assertThat(PG.rowCounts("temp_is_file")).isEqualTo(shopCounts);
        assertRepositoryIntact(lifeboat, 1);
    }
}
