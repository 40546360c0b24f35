package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Config;
import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.engine.database.DatabaseBackup;
import dev.lifeboat.engine.database.DatabaseRestore;
import dev.lifeboat.engine.database.Verification;
import dev.lifeboat.engine.database.VerifyQuery;
import dev.lifeboat.engine.files.FileRestore;
import dev.lifeboat.engine.files.SourceType;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat restore: restores a snapshot of files into a directory, or of a database into a server. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore a snapshot.",
            "Files, config and certificates go into --target DIR, under TARGET/<original path>.",
            "A database snapshot is restored into the server named by --db-url / PG* variables: into its original "
                    + "database with --clean (after a safety backup), or beside it with --to-database NEW."})
final class RestoreCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "snapshot id (prefix) or 'latest'")
    String snapshot;

    @Option(names = "--target", paramLabel = "DIR", description = "directory to restore files into")
    Path target;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "with 'latest': the newest of this type")
    String type;

    @Option(names = {"-i", "--include"}, paramLabel = "GLOB", description = "restore only matching paths (repeatable)")
    List<String> includes = new ArrayList<>();

    @Option(names = "--overwrite", description = "allow a non-empty target and replace files there")
    boolean overwrite;

    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Option(names = "--to-database", paramLabel = "NAME", description = "restore into this database instead")
    String toDatabase;

    @Option(names = "--clean", description = "replace the target database if it exists (after a safety backup)")
    boolean clean;

    @Option(names = "--dry-run", description = "print what would be done and change nothing")
    boolean dryRun;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "parallel pg_restore jobs (default: database.restore-jobs)")
    Integer jobs;

    @Option(names = "--no-safety-backup", description = "do not back up a database before replacing it")
    boolean noSafetyBackup;

    @Option(names = "--no-owner", description = "do not restore ownership and privileges (roles may be missing)")
    boolean noOwner;

    @Option(names = "--temp-dir", paramLabel = "DIR", description = "folder for the temporary dump copy of a parallel restore")
    Path tempDir;

    @Override
    public Integer call() {
        if (type != null) {
            SourceType.parse(type);
        }
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "restore")) {
            boolean databaseLatest = "latest".equals(snapshot) && db.database != null
                    && (type == null || type.equals("database"));
            SnapshotRef ref = databaseLatest ? SnapshotArg.resolve(repository, snapshot, "database", db.database)
                    : SnapshotArg.resolve(repository, snapshot, type);
            if ("database".equals(ref.snapshot().type())) {
                return restoreDatabase(repository, ref);
            }
            if (target == null) {
                throw LifeboatException.usage("--target is required to restore a " + ref.snapshot().type() + " snapshot",
                        "give the directory to restore into, for example --target /tmp/restore");
            }
            if (dryRun || clean || toDatabase != null || jobs != null || noSafetyBackup || noOwner) {
                throw LifeboatException.usage("--dry-run, --clean, --to-database, --jobs, --no-safety-backup and "
                        + "--no-owner apply to database snapshots only", "drop them for a " + ref.snapshot().type()
                        + " snapshot");
            }
            long start = System.nanoTime();
            FileRestore.Result r = new FileRestore(repository, progress())
                    .run(new FileRestore.Request(ref, target, includes, overwrite));
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("snapshot", ref.id().hex());
                out.put("target", target.toAbsolutePath().toString());
                out.put("result", r);
                out.put("durationMillis", millis);
                printJson(out);
            } else {
                say(String.format("restored snapshot %s to '%s': %d files, %d dirs, %d symlinks, %s in %s",
                        ref.id().shortHex(), target.toAbsolutePath(), r.files(), r.dirs(), r.symlinks(),
                        Format.bytes(r.bytes()), Format.duration(millis)));
            }
            if (!r.errors().isEmpty()) {
                for (String e : r.errors()) {
                    cli.err().println("error: " + e);
                }
                cli.err().println("lifeboat: restore incomplete: " + r.errors().size()
                        + " path(s) could not be restored; no damaged file was written");
                cli.err().println("HINT: run 'lifeboat check --read-data' to find every damaged object");
                return ErrorCode.INTEGRITY.exitStatus();
            }
            return 0;
        }
    }

    private int restoreDatabase(Repository repository, SnapshotRef ref) {
        if (target != null || !includes.isEmpty() || overwrite) {
            throw LifeboatException.usage("--target, --include and --overwrite apply to file snapshots only",
                    "a database snapshot is restored into a server: use --db-url, --to-database or --clean");
        }
        Config cfg = config();
        int j = jobs != null ? jobs : cfg.get(Settings.DATABASE_RESTORE_JOBS);
        if (j < 1 || j > 64) {
            throw LifeboatException.usage("--jobs must be 1 to 64, got " + j, "2 suits most servers");
        }
        ConnectionSpec server = db.connection(cfg, cli.env());
        String sourceDb = db.database;
        DatabaseRestore restore = new DatabaseRestore(repository, progress());
        String targetName = toDatabase != null ? toDatabase : DatabaseRestore.databaseIn(ref, sourceDb);
        DatabaseRestore.Request request = request(ref, server.withDatabase(targetName), sourceDb, j, cfg);
        DatabaseRestore.Plan plan = restore.plan(request);
        if (dryRun) {
            if (json) {
                printJson(Map.of("dryRun", true, "plan", plan));
            } else {
                printPlan(plan);
                say("dry run: nothing was changed");
            }
            return 0;
        }
        if (!json) {
            printPlan(plan);
        }
        DatabaseRestore.Result result = restore.run(request, conn -> new DatabaseBackup(repository, progress())
                .run(new DatabaseBackup.Request(conn, false, List.of("safety", "before-restore-" + ref.id().shortHex()),
                        null, DatabaseOptions.tools(cfg, cli.env()))));
        if (json) {
            printJson(result);
        } else {
            if (result.safetySnapshot() != null) {
                say("safety backup: snapshot " + result.safetySnapshot().substring(0, 8) + " (undo with 'lifeboat restore "
                        + "--type database " + result.safetySnapshot().substring(0, 8) + " --clean')");
            }
            say(String.format("%-50s %16s %16s  %s", "CHECK", "EXPECTED", "ACTUAL", "RESULT"));
            for (Verification.Check c : result.checks()) {
                say(String.format("%-50s %16s %16s  %s", truncate(c.check(), 50), c.expected(), c.actual(),
                        c.ok() ? "ok" : "MISMATCH"));
            }
            say(String.format("restored '%s' into %s in %s", plan.sourceDatabase(), plan.target(),
                    Format.duration(result.durationMillis())));
        }
        if (!result.verified()) {
            long bad = result.checks().stream().filter(c -> !c.ok()).count();
            cli.err().println("lifeboat: verification failed: " + bad + " check(s) differ from the backup");
            cli.err().println("HINT: the post-restore hook was not run; inspect the database"
                    + (result.safetySnapshot() == null ? "" : ", or undo with 'lifeboat restore --type database "
                    + result.safetySnapshot().substring(0, 8) + " --clean'"));
            return ErrorCode.VERIFICATION.exitStatus();
        }
        return 0;
    }

    private DatabaseRestore.Request request(SnapshotRef ref, ConnectionSpec target, String sourceDb, int j, Config cfg) {
        List<VerifyQuery> queries = cfg.get(Settings.DATABASE_VERIFY).stream().map(VerifyQuery::parse).toList();
        Path temp = tempDir != null ? tempDir : cfg.get(Settings.DATABASE_TEMP_DIR) == null ? null
                : Path.of(cfg.get(Settings.DATABASE_TEMP_DIR));
        return new DatabaseRestore.Request(ref, sourceDb, target, clean,
                !noSafetyBackup && cfg.get(Settings.DATABASE_SAFETY_BACKUP), j, noOwner,
                cfg.get(Settings.DATABASE_CRITICAL_TABLES), queries, cfg.get(Settings.DATABASE_PRE_RESTORE),
                cfg.get(Settings.DATABASE_POST_RESTORE), DatabaseOptions.tools(cfg, cli.env()), temp);
    }

    private void printPlan(DatabaseRestore.Plan p) {
        say("restore plan:");
        say("  snapshot        " + p.snapshot().substring(0, 8) + " taken " + Format.time(p.snapshotTime()));
        say("  database        '" + p.sourceDatabase() + "': " + Format.bytes(p.dumpBytes()) + " dump, " + p.tables()
                + " tables, " + p.rows() + " rows");
        say("  into            " + p.target() + (p.targetExists() ? " (exists: it will be DROPPED and recreated)"
                : " (new database: it will be created)"));
        say("  safety backup   " + (p.safetyBackup() ? "yes, before dropping" : p.targetExists() ? "NO (disabled)" : "not needed"));
        say("  pre-restore     " + (p.preHook() == null ? "(none)" : p.preHook()));
        say("  restore         pg_restore with " + p.jobs() + " job(s)");
        say("  verify          " + String.join("; ", p.verify()));
        say("  post-restore    " + (p.postHook() == null ? "(none)" : p.postHook()));
        say("  estimated time  about " + Format.duration(p.estimatedSeconds() * 1000));
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
