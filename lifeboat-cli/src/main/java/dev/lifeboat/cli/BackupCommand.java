package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Config;
import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.engine.database.DatabaseBackup;
import dev.lifeboat.engine.database.DatabaseDetails;
import dev.lifeboat.engine.database.DumpInfo;
import dev.lifeboat.engine.files.FileBackup;
import dev.lifeboat.engine.files.SourceType;
import dev.lifeboat.engine.physical.PhysicalBackup;
import dev.lifeboat.engine.physical.PhysicalDetails;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.logical.TableCount;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.copy.SnapshotCopier;
import dev.lifeboat.repo.copy.WalCopier;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat backup: backs up file trees into a new snapshot. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Back up files, configuration or certificates into a new snapshot.")
final class BackupCommand extends BaseCommand {
    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", defaultValue = "files",
            description = "what to back up: files, config, certificates or database (default: ${DEFAULT-VALUE})")
    String type;

    @picocli.CommandLine.Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "logical",
            description = "with --type database: logical (pg_dump) or physical (base backup of the cluster on this "
                    + "host, for point-in-time recovery) (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--wal-wait", paramLabel = "DURATION", defaultValue = "60s",
            description = "physical: how long to wait for the backup's WAL to reach the repository (default: ${DEFAULT-VALUE})")
    String walWait;

    @Option(names = "--all", description = "with --type database: every database of the server, and the globals "
            + "(roles, tablespaces)")
    boolean allDatabases;

    @Option(names = {"-e", "--exclude"}, paramLabel = "GLOB", description = "exclude matching paths (repeatable)")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--no-default-excludes", description = "do not apply files.exclude from the configuration")
    boolean noDefaultExcludes;

    @Option(names = "--tag", paramLabel = "TAG", description = "tag the snapshot (repeatable)")
    List<String> tags = new ArrayList<>();

    @Option(names = "--force", description = "read every file, ignoring the parent snapshot")
    boolean force;

    @Option(names = "--app-version", paramLabel = "VERSION",
            description = "application version or git revision to record (default: app-version setting)")
    String appVersion;

    @Option(names = "--copy-to", paramLabel = "REPO",
            description = "once the snapshot is saved, copy it to REPO too (repeatable; replaces copy.to)")
    List<String> copyTo = new ArrayList<>();

    @Option(names = "--no-copy", description = "do not copy the new snapshot to the copy.to repositories")
    boolean noCopy;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "files and directories to back up")
    List<Path> paths = new ArrayList<>();

    @Override
    public Integer call() {
        SourceType sourceType = SourceType.parse(type);
        for (String t : tags) {
            if (t.isBlank() || t.contains(",")) {
                throw LifeboatException.usage("invalid tag '" + t + "'", "a tag is a non-empty word without commas");
            }
        }
        if (noCopy && !copyTo.isEmpty()) {
            throw LifeboatException.usage("--copy-to and --no-copy exclude each other", "give one of them");
        }
        Config cfg = config();
        if (sourceType == SourceType.DATABASE) {
            return backupDatabase(cfg);
        }
        if (allDatabases || db.url != null || db.database != null) {
            throw LifeboatException.usage("--all, --db-url and --database apply to --type database only",
                    "add --type database, or drop those options");
        }
        if (paths.isEmpty()) {
            throw LifeboatException.usage("no path to back up", "name at least one file or directory");
        }
        List<String> allExcludes = new ArrayList<>();
        if (sourceType == SourceType.FILES && !noDefaultExcludes) {
            allExcludes.addAll(cfg.get(Settings.FILES_EXCLUDE));
        }
        if (sourceType == SourceType.CONFIG) {
            allExcludes.addAll(cfg.get(Settings.CONFIG_EXCLUDE));
        }
        allExcludes.addAll(excludes);
        List<String> includes = sourceType == SourceType.CONFIG ? cfg.get(Settings.CONFIG_INCLUDE) : List.of();
        String version = appVersion != null ? appVersion : cfg.get(Settings.APP_VERSION);
        FileBackup.Request request = new FileBackup.Request(sourceType, paths, allExcludes, includes, tags, version,
                !force, cfg.get(Settings.CERTIFICATE_WARN_DAYS));
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "backup")) {
            FileBackup.Result result = new FileBackup(repository, progress()).run(request);
            Summary s = result.snapshot().snapshot().summary();
            Copies copies = copy(cfg, repository, result.snapshot());
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("snapshot", result.snapshot().id().hex());
                out.put("parent", result.parent() == null ? null : result.parent().hex());
                out.put("summary", s);
                out.put("details", result.snapshot().snapshot().details());
                out.put("warnings", result.warnings());
                copies.addTo(out);
                printJson(out);
            } else {
                say(String.format("snapshot %s saved (%s)", result.snapshot().id().shortHex(), sourceType.label()));
                say(String.format("  %d files, %d dirs, %d symlinks, %s", s.files(), s.dirs(), s.symlinks(),
                        Format.bytes(s.bytes())));
                say(String.format("  added %s new data (%s stored) in %s", Format.bytes(s.newBytes()),
                        Format.bytes(s.storedBytes()), Format.duration(s.durationMillis())));
                CertificateReport.print(this, result.snapshot().snapshot(), cfg.get(Settings.CERTIFICATE_WARN_DAYS));
                copies.say(this);
            }
            copies.reportFailures(cli.err(), result.snapshot());
            if (result.incomplete()) {
                cli.err().println("lifeboat: backup incomplete: " + result.warnings().size()
                        + " path(s) could not be read (listed above); the snapshot holds everything else");
                return ErrorCode.INCOMPLETE.exitStatus();
            }
            return copies.exitStatus();
        }
    }

    private int backupDatabase(Config cfg) {
        if (!paths.isEmpty()) {
            throw LifeboatException.usage("a database backup takes no paths (got '" + paths.get(0) + "')",
                    "name the database with --database or --db-url");
        }
        if (!excludes.isEmpty() || noDefaultExcludes || force) {
            throw LifeboatException.usage("--exclude, --no-default-excludes and --force apply to file backups only",
                    "drop them for --type database");
        }
        ConnectionSpec conn = db.connection(cfg, cli.env());
        if (!mode.equals("logical") && !mode.equals("physical")) {
            throw LifeboatException.usage("unknown --mode '" + mode + "'", "use logical or physical");
        }
        if (mode.equals("physical")) {
            return backupPhysical(cfg, conn);
        }
        if (allDatabases && db.database != null) {
            throw LifeboatException.usage("--all and --database exclude each other", "give one of them");
        }
        String version = appVersion != null ? appVersion : cfg.get(Settings.APP_VERSION);
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "backup")) {
            SnapshotRef ref = new DatabaseBackup(repository, progress()).run(new DatabaseBackup.Request(conn,
                    allDatabases, tags, version, DatabaseOptions.tools(cfg, cli.env())));
            Summary s = ref.snapshot().summary();
            Copies copies = copy(cfg, repository, ref);
            if (json) {
                printSnapshotJson(ref, copies);
            } else {
                DatabaseDetails d = Json.MAPPER.convertValue(ref.snapshot().details(), DatabaseDetails.class);
                say(String.format("snapshot %s saved (database %s, PostgreSQL %s)", ref.id().shortHex(),
                        ref.snapshot().source(), d.server().version()));
                for (DumpInfo dump : d.databases()) {
                    long rows = dump.facts().tables().stream().mapToLong(TableCount::rows).sum();
                    say(String.format("  %-24s %s dump, %d tables, %d rows, sha256 %s", dump.facts().name(),
                            Format.bytes(dump.bytes()), dump.facts().tables().size(), rows, dump.sha256().substring(0, 16)));
                }
                say(String.format("  added %s new data (%s stored) in %s", Format.bytes(s.newBytes()),
                        Format.bytes(s.storedBytes()), Format.duration(s.durationMillis())));
                copies.say(this);
            }
            copies.reportFailures(cli.err(), ref);
            return copies.exitStatus();
        }
    }

    private int backupPhysical(Config cfg, ConnectionSpec conn) {
        if (allDatabases) {
            throw LifeboatException.usage("--all applies to logical backups", "a physical backup always holds every "
                    + "database of the cluster");
        }
        String version = appVersion != null ? appVersion : cfg.get(Settings.APP_VERSION);
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "backup")) {
            SnapshotRef ref = new PhysicalBackup(repository, progress()).run(new PhysicalBackup.Request(conn, tags,
                    version, parseDuration(walWait, "--wal-wait"), cfg.get(Settings.DATABASE_PHYSICAL_COMPRESSION_LEVEL)));
            PhysicalDetails d = Json.MAPPER.convertValue(ref.snapshot().details(), PhysicalDetails.class);
            Summary s = ref.snapshot().summary();
            Copies copies = copy(cfg, repository, ref);
            if (json) {
                printSnapshotJson(ref, copies);
            } else {
                say(String.format("snapshot %s saved (physical base backup of cluster %s, PostgreSQL %s%s)",
                        ref.id().shortHex(), d.systemIdentifier(), d.server().version(), d.standby() ? ", from a standby" : ""));
                say(String.format("  %d files, %s; WAL %s to %s (LSN %s to %s, timeline %d)%s", s.files(),
                        Format.bytes(s.bytes()), d.startWal(), d.stopWal(), d.startLsn(), d.stopLsn(), d.timeline(),
                        d.walComplete() ? "" : " - WAL NOT YET COMPLETE in the repository"));
                say(String.format("  added %s new data (%s stored) in %s", Format.bytes(s.newBytes()),
                        Format.bytes(s.storedBytes()), Format.duration(s.durationMillis())));
                copies.say(this);
            }
            copies.reportFailures(cli.err(), ref);
            return d.walComplete() ? copies.exitStatus() : ErrorCode.INCOMPLETE.exitStatus();
        }
    }

    /** The JSON result of a database backup: the snapshot id, its summary, its details and its copies. */
    private void printSnapshotJson(SnapshotRef ref, Copies copies) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("snapshot", ref.id().hex());
        out.put("summary", ref.snapshot().summary());
        out.put("details", ref.snapshot().details());
        copies.addTo(out);
        printJson(out);
    }

    /**
     * Copies the new snapshot (and, for a physical backup, the WAL it needs) to every repository of
     * --copy-to, else copy.to: the off-site and cross-region copies. A destination that fails is recorded and
     * the others are still tried; the snapshot stays saved here either way.
     */
    private Copies copy(Config cfg, Repository source, SnapshotRef ref) {
        List<String> destinations = noCopy ? List.of() : !copyTo.isEmpty() ? copyTo : cfg.get(Settings.COPY_TO);
        String passwordFile = cfg.get(Settings.COPY_PASSWORD_FILE);
        List<Copies.Done> done = new ArrayList<>();
        List<Copies.Failed> failed = new ArrayList<>();
        for (String to : destinations) {
            try (Repository destination = openDestination(to, passwordFile == null ? null : Path.of(passwordFile),
                    "copy.password-file");
                 RepoLock ignored = lock(destination, false, "copy")) {
                SnapshotCopier.Outcome o = new SnapshotCopier(source, destination, Progress.NONE).copy(List.of(ref))
                        .get(0);
                WalCopier.Outcome wal = new WalCopier(source, destination).copy(List.of(ref));
                done.add(new Copies.Done(destination.backend().location(), o.copy(), o.newBlobs(),
                        o.storedBytes(), wal.copied()));
            } catch (LifeboatException e) {
                failed.add(new Copies.Failed(to, e));
            }
        }
        return new Copies(done, failed);
    }

    /** What copying a new snapshot to the copy destinations did. */
    record Copies(List<Done> done, List<Failed> failed) {
        record Done(String repository, BlobId copy, long newBlobs, long storedBytes, int walFiles) {
        }

        record Failed(String repository, LifeboatException error) {
        }

        void addTo(Map<String, Object> json) {
            if (done.isEmpty() && failed.isEmpty()) {
                return;
            }
            List<Object> rows = new ArrayList<>(done);
            for (Failed f : failed) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("repository", f.repository());
                row.put("error", f.error().getMessage());
                rows.add(row);
            }
            json.put("copies", rows);
        }

        void say(BaseCommand command) {
            for (Done d : done) {
                command.say(String.format("  copied to '%s' as %s (%d new blobs, %s stored%s)", d.repository(),
                        d.copy().shortHex(), d.newBlobs(), Format.bytes(d.storedBytes()),
                        d.walFiles() > 0 ? ", " + d.walFiles() + " WAL files" : ""));
            }
        }

        void reportFailures(PrintStream err, SnapshotRef ref) {
            for (Failed f : failed) {
                err.println("lifeboat: snapshot " + ref.id().shortHex() + " is saved, but copying it to '"
                        + f.repository() + "' failed: " + f.error().getMessage());
                err.println("HINT: " + (f.error().hint() != null ? f.error().hint() + "; then " : "")
                        + "run 'lifeboat copy --to " + f.repository() + " " + ref.id().shortHex() + "'");
            }
        }

        /** 0 when every copy was made, else the exit status of the last failure. */
        int exitStatus() {
            return failed.isEmpty() ? 0 : failed.get(failed.size() - 1).error().code().exitStatus();
        }
    }
}
