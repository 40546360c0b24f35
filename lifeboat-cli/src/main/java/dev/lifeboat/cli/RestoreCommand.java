package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Config;
import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.engine.database.DatabaseBackup;
import dev.lifeboat.engine.database.DatabaseRestore;
import dev.lifeboat.engine.database.Verification;
import dev.lifeboat.engine.database.VerifyQuery;
import dev.lifeboat.engine.files.FileRestore;
import dev.lifeboat.engine.physical.PointInTimeRestore;
import dev.lifeboat.engine.physical.RecoveryTarget;
import dev.lifeboat.postgres.cluster.LocalCluster;
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
    @Parameters(index = "0", arity = "0..1", paramLabel = "SNAPSHOT",
            description = "snapshot id (prefix) or 'latest'; physical restores choose the base backup when omitted")
    String snapshot;

    @Option(names = "--mode", paramLabel = "MODE", description = "with --type database: logical or physical "
            + "(point-in-time recovery into a new data directory)")
    String mode;

    @Option(names = "--time", paramLabel = "TIME", description = "physical: recover up to this time, "
            + "e.g. '2026-11-20 10:30:00+00'")
    String time;

    @Option(names = "--lsn", paramLabel = "LSN", description = "physical: recover up to this WAL location")
    String lsn;

    @Option(names = "--xid", paramLabel = "XID", description = "physical: recover up to this transaction id")
    String xid;

    @Option(names = "--name", paramLabel = "NAME", description = "physical: recover up to this named restore point")
    String restorePoint;

    @Option(names = "--latest", description = "physical: recover to the end of the WAL in the repository")
    boolean latest;

    @Option(names = "--timeline", paramLabel = "TLI", defaultValue = "latest",
            description = "physical: the timeline to follow: latest, current or a number (default: ${DEFAULT-VALUE})")
    String timeline;

    @Option(names = "--target-dir", paramLabel = "DIR", description = "physical: the new data directory (must be empty)")
    Path targetDir;

    @Option(names = "--port", paramLabel = "PORT", description = "physical: port of the restored cluster "
            + "(default: a free one)")
    Integer port;

    @Option(names = "--cluster", paramLabel = "SYSTEM_ID", description = "physical: the cluster whose backups to use")
    String cluster;

    @Option(names = "--recovery-timeout", paramLabel = "DURATION", defaultValue = "1h",
            description = "physical: how long recovery may take (default: ${DEFAULT-VALUE})")
    String recoveryTimeout;

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

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "connections that load rows and pg_restore jobs for indexes (default: database.restore-jobs)")
    Integer jobs;

    @Option(names = "--no-safety-backup", description = "do not back up a database before replacing it")
    boolean noSafetyBackup;

    @Option(names = "--no-owner", description = "do not restore ownership and privileges (roles may be missing)")
    boolean noOwner;

    @Option(names = "--temp-dir", paramLabel = "DIR", description = "folder for the dump's table of contents (and the whole dump when pg_restore must restore it in parallel)")
    Path tempDir;

    @Override
    public Integer call() {
        if (type != null) {
            SourceType.parse(type);
        }
        boolean physical = "physical".equals(mode) || time != null || lsn != null || xid != null
                || restorePoint != null || latest || targetDir != null;
        if (mode != null && !mode.equals("logical") && !mode.equals("physical")) {
            throw LifeboatException.usage("unknown --mode '" + mode + "'", "use logical or physical");
        }
        if (physical) {
            return restorePhysical();
        }
        if (snapshot == null) {
            throw LifeboatException.usage("no snapshot given", "name one by id or use 'latest'");
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

    private int restorePhysical() {
        if ("logical".equals(mode)) {
            throw LifeboatException.usage("--time, --lsn, --xid, --name, --latest and --target-dir apply to physical "
                    + "restores", "add --mode physical, or drop them");
        }
        int chosen = (time != null ? 1 : 0) + (lsn != null ? 1 : 0) + (xid != null ? 1 : 0)
                + (restorePoint != null ? 1 : 0) + (latest ? 1 : 0);
        if (chosen != 1) {
            throw LifeboatException.usage(chosen == 0 ? "a physical restore needs a recovery target"
                    : "give only one recovery target", "use one of --time, --lsn, --xid, --name or --latest");
        }
        if (targetDir == null) {
            throw LifeboatException.usage("a physical restore needs --target-dir", "give a new or empty folder for "
                    + "the restored data directory");
        }
        if (target != null || !includes.isEmpty() || toDatabase != null || clean) {
            throw LifeboatException.usage("--target, --include, --to-database and --clean do not apply to physical "
                    + "restores", "a physical restore creates a new data directory in --target-dir");
        }
        if (port != null && (port < 1024 || port > 65535)) {
            throw LifeboatException.usage("--port must be 1024 to 65535, got " + port, "or leave it out to pick a free one");
        }
        RecoveryTarget.Kind kind = time != null ? RecoveryTarget.Kind.TIME : lsn != null ? RecoveryTarget.Kind.LSN
                : xid != null ? RecoveryTarget.Kind.XID : restorePoint != null ? RecoveryTarget.Kind.NAME
                : RecoveryTarget.Kind.LATEST;
        String value = time != null ? time : lsn != null ? lsn : xid != null ? xid : restorePoint;
        RecoveryTarget recoveryTarget = new RecoveryTarget(kind, value, timeline);
        Config cfg = config();
        java.time.Duration timeout = parseDuration(recoveryTimeout, "--recovery-timeout");
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "restore")) {
            SnapshotRef backup = snapshot == null ? null : SnapshotArg.resolve(repository, snapshot, "database");
            PointInTimeRestore pitr = new PointInTimeRestore(repository, progress());
            PointInTimeRestore.Request request = new PointInTimeRestore.Request(recoveryTarget, backup, cluster, targetDir,
                    port != null ? port : LocalCluster.freePort(), DatabaseOptions.tools(cfg, cli.env()), timeout);
            PointInTimeRestore.Plan plan = pitr.plan(request);
            if (dryRun) {
                if (json) {
                    printJson(Map.of("dryRun", true, "plan", plan));
                } else {
                    printPhysicalPlan(plan);
                    say("dry run: nothing was changed");
                }
                return 0;
            }
            if (!json) {
                printPhysicalPlan(plan);
            }
            PointInTimeRestore.Result r = pitr.run(request);
            if (json) {
                printJson(r);
            } else {
                say("recovered: " + (r.recoveryStop() == null ? "to the end of the WAL" : r.recoveryStop()));
                if (r.lastTransaction() != null) {
                    say("           " + r.lastTransaction());
                }
                say(String.format("cluster running: %s (timeline %d, LSN %s) in %s", r.connection(), r.timeline(),
                        r.lsn(), Format.duration(r.durationMillis())));
                say("stop it with: pg_ctl -D " + plan.targetDir() + " stop (as the postgres user)");
            }
            return 0;
        }
    }

    private void printPhysicalPlan(PointInTimeRestore.Plan p) {
        say("point-in-time restore plan:");
        say("  base backup     " + p.backup().substring(0, 8) + " taken " + Format.time(p.backupTime()) + " (cluster "
                + p.systemIdentifier() + ", timeline " + p.timeline() + ", LSN " + p.startLsn() + " to " + p.stopLsn() + ")");
        say("  restore         " + Format.bytes(p.baseBytes()) + " into " + p.targetDir());
        say("  WAL             " + p.walFiles() + " file(s), " + p.firstWal() + " to " + p.lastWal());
        say("  recover to      " + p.target());
        say("  start on port   " + p.port() + ", promote, verify");
        say("  estimated time  about " + Format.duration(p.estimatedSeconds() * 1000));
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
        say("  restore         " + p.jobs() + " job(s): rows by COPY, schema and indexes by pg_restore");
        say("  verify          " + String.join("; ", p.verify()));
        say("  post-restore    " + (p.postHook() == null ? "(none)" : p.postHook()));
        say("  estimated time  about " + Format.duration(p.estimatedSeconds() * 1000));
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
