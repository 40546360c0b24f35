package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.engine.database.DatabaseBackup;
import dev.lifeboat.engine.database.DatabaseRestore;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.PgTools;
import dev.lifeboat.postgres.SampleDatabase;
import dev.lifeboat.postgres.cluster.LocalCluster;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.engine.files.FileBackup;
import dev.lifeboat.engine.files.FileRestore;
import dev.lifeboat.engine.files.SourceType;
import dev.lifeboat.engine.files.TreeCompare;
import dev.lifeboat.engine.quickstart.SampleTree;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.RepoConfig;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.check.Checker;
import dev.lifeboat.repo.crypto.MasterKey;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * lifeboat quickstart: the whole story on throwaway data, for a newcomer: create a repository, back up a
 * sample application, change it, back up again, restore, verify byte for byte, check every byte; then a
 * throwaway PostgreSQL cluster: back up a database, drop a table, restore, verify, report the recovery time.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Run the whole backup-and-restore story on throwaway data in a temporary folder.")
final class QuickstartCommand extends BaseCommand {
    @Option(names = "--keep", description = "keep the temporary folder (repository, sample data, restore) afterwards")
    boolean keep;

    @Option(names = "--dir", paramLabel = "DIR", description = "work in DIR instead of a new temporary folder")
    Path dir;

    private final List<Map<String, Object>> steps = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        Path work = dir != null ? dir : Files.createTempDirectory("lifeboat-quickstart-");
        if (dir != null && Files.exists(dir) && Files.list(dir).findAny().isPresent()) {
            throw new LifeboatException(ErrorCode.ALREADY_EXISTS, "quickstart folder '" + dir + "' is not empty",
                    "give an empty or new folder");
        }
        Path app = work.resolve("app");
        Path restored = work.resolve("restore");
        char[] password = HexFormat.of().formatHex(MasterKey.randomBytes(16)).toCharArray();
        say("lifeboat quickstart in '" + work + "'");
        long size = step("create a sample application tree", () -> SampleTree.create(app, 42));
        try (Repository repo = step("create an encrypted repository", () -> Repository.init(
                new LocalBackend(work.resolve("repository")), password, RepoConfig.fresh(),
                config().get(Settings.KDF_MEMORY_MIB) * 1024, RepoLock.hostname(), System.getProperty("user.name")))) {
            FileBackup.Request request = new FileBackup.Request(SourceType.FILES, List.of(app),
                    config().get(Settings.FILES_EXCLUDE), List.of(), List.of("quickstart"), null, true, 30);
            FileBackup.Result first = step("back up " + Format.bytes(size) + " (first, full)",
                    () -> new FileBackup(repo, dev.lifeboat.repo.Progress.NONE).run(request));
            detail(first.snapshot().snapshot().summary());
            step("change the application (edit 10 files, add 5, delete 1, append to a log)", () -> {
                SampleTree.change(app, 7);
                return null;
            });
            FileBackup.Result second = step("back up again (only changes are stored)",
                    () -> new FileBackup(repo, dev.lifeboat.repo.Progress.NONE).run(request));
            detail(second.snapshot().snapshot().summary());
            FileRestore.Result r = step("restore the latest snapshot", () -> new FileRestore(repo,
                    dev.lifeboat.repo.Progress.NONE).run(new FileRestore.Request(second.snapshot(), restored,
                    List.of(), false)));
            if (!r.errors().isEmpty()) {
                throw LifeboatException.integrity("quickstart restore failed: " + r.errors().get(0));
            }
            List<String> diffs = step("verify the restore byte for byte (excluded node_modules aside)", () -> {
                deleteTree(app.resolve("node_modules"));
                return TreeCompare.differences(app, restored.resolve(app.toString().substring(1)), false);
            });
            if (!diffs.isEmpty()) {
                throw LifeboatException.integrity("quickstart restore differs from the source: " + diffs.get(0));
            }
            Checker.Report report = step("check the repository, reading every byte",
                    () -> new Checker(repo, dev.lifeboat.repo.Progress.NONE).run(1.0));
            if (!report.ok()) {
                throw LifeboatException.integrity("quickstart check failed: " + report.errors().get(0));
            }
            databaseStory(repo, work);
        }
        if (!keep && dir == null) {
            deleteTree(work);
            say("removed '" + work + "' (pass --keep to look around)");
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("folder", work.toString());
            out.put("steps", steps);
            printJson(out);
        } else {
            say("quickstart finished: every step passed");
        }
        return 0;
    }

    /**
     * The database half: a throwaway cluster with sample data, a backup, a disaster (a dropped table), a
     * restore over the damaged database (after a safety backup), verification, and the recovery time.
     */
    private void databaseStory(Repository repo, Path work) {
        PgTools tools = DatabaseOptions.tools(config(), cli.env());
        if (tools.all("initdb").isEmpty() || tools.all("pg_dump").isEmpty()) {
            say("  (database steps skipped: PostgreSQL server and client programs not found; "
                    + "install postgresql-15 to see them)");
            return;
        }
        LocalCluster cluster = step("start a throwaway PostgreSQL cluster", () -> LocalCluster.initdb(tools,
                work.resolve("pgdata"), Map.of()).start());
        try {
            ConnectionSpec shop = cluster.connection("shop");
            step("create database 'shop' with sample data (users, invoices, 200,000 payments)", () -> {
                try (var c = cluster.connection("postgres").connect(); var s = c.createStatement()) {
                    s.execute("CREATE DATABASE shop");
                }
                SampleDatabase.create(shop, 200_000);
                return null;
            });
            SnapshotRef backup = step("back up the database (pg_dump streamed into the repository)",
                    () -> new DatabaseBackup(repo, dev.lifeboat.repo.Progress.NONE).run(new DatabaseBackup.Request(shop,
                            false, List.of("quickstart"), null, tools)));
            step("disaster: DROP TABLE billing.payments", () -> {
                try (var c = shop.connect(); var s = c.createStatement()) {
                    s.execute("DROP TABLE billing.payments CASCADE");
                }
                return null;
            });
            long start = System.nanoTime();
            DatabaseRestore.Result result = step("restore over the damaged database (safety backup first), verify",
                    () -> new DatabaseRestore(repo, dev.lifeboat.repo.Progress.NONE).run(new DatabaseRestore.Request(
                            backup, null, shop, true, true, 2, false, List.of(), List.of(), null, null, tools, work),
                            conn -> new DatabaseBackup(repo, dev.lifeboat.repo.Progress.NONE).run(
                                    new DatabaseBackup.Request(conn, false, List.of("safety"), null, tools))));
            long millis = (System.nanoTime() - start) / 1_000_000;
            long failed = result.checks().stream().filter(c -> !c.ok()).count();
            if (failed > 0) {
                throw new LifeboatException(ErrorCode.VERIFICATION, "quickstart database verification failed: "
                        + failed + " check(s) differ", null);
            }
            say(String.format("      %d checks passed (row counts of every table, schema fingerprint); recovery time "
                    + "%s (RTO), data loss none since the backup (RPO = backup age)", result.checks().size(),
                    Format.duration(millis)));
            steps.get(steps.size() - 1).put("recoveryMillis", millis);
        } finally {
            cluster.stop();
        }
    }

    private void detail(Summary s) {
        say(String.format("      %d files, %s new data, %s stored", s.files(), Format.bytes(s.newBytes()),
                Format.bytes(s.storedBytes())));
        steps.get(steps.size() - 1).put("summary", s);
    }

    private <T> T step(String name, Callable<T> action) {
        long start = System.nanoTime();
        T value;
        try {
            value = action.call();
        } catch (LifeboatException e) {
            throw e;
        } catch (Exception e) {
            throw new LifeboatException(ErrorCode.FAILURE, "quickstart step '" + name + "' failed: " + e, null, e);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", name);
        m.put("millis", millis);
        steps.add(m);
        say(String.format("  %-80s %8s", name, Format.duration(millis)));
        return value;
    }
}
