package dev.lifeboat.engine.physical;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lifeboat.engine.files.FileRestore;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.PgTools;
import dev.lifeboat.postgres.cluster.LocalCluster;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalSegmentName;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.wal.WalStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import java.util.TreeMap;

/**
 * Point-in-time recovery into a new data directory: choose the base backup for the target, restore its
 * files in parallel (flushing them to disk meanwhile, see {@link EarlySync}), write the recovery settings,
 * start the cluster (as the postgres user when run as root) on its own port beside any live cluster while
 * exactly the WAL from the backup's start onwards is staged beside it (no program start per segment during
 * recovery; the server waits for a segment still being staged, see {@link WalStaging}), wait for recovery
 * to reach the target and promote, then check that the cluster answers and report the point it recovered to.
 */
public final class PointInTimeRestore {
    /** What to recover, where. */
    public record Request(RecoveryTarget target, SnapshotRef backup, String systemIdentifier, Path targetDir, int port,
                          PgTools tools, Duration timeout) {
    }

    /** What a restore will do. */
    public record Plan(
            @JsonProperty("backup") String backup,
            @JsonProperty("backupTime") Instant backupTime,
            @JsonProperty("systemIdentifier") String systemIdentifier,
            @JsonProperty("timeline") int timeline,
            @JsonProperty("startLsn") Lsn startLsn,
            @JsonProperty("stopLsn") Lsn stopLsn,
            @JsonProperty("firstWal") String firstWal,
            @JsonProperty("lastWal") String lastWal,
            @JsonProperty("walFiles") int walFiles,
            @JsonProperty("baseBytes") long baseBytes,
            @JsonProperty("target") String target,
            @JsonProperty("targetDir") String targetDir,
            @JsonProperty("port") int port,
            @JsonProperty("estimatedSeconds") long estimatedSeconds) {
    }

    /** What a restore did. */
    public record Result(
            @JsonProperty("plan") Plan plan,
            @JsonProperty("connection") String connection,
            @JsonProperty("timeline") int timeline,
            @JsonProperty("lsn") String lsn,
            @JsonProperty("recoveryStop") String recoveryStop,
            @JsonProperty("lastTransaction") String lastTransaction,
            @JsonProperty("durationMillis") long durationMillis) {
    }

    /** How often the restored cluster is asked whether it left recovery. */
    private static final long POLL_MILLIS = 100;
    private final Repository repo;
    private final Progress progress;

    public PointInTimeRestore(Repository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    /** A physical backup with its manifest. */
    private record Backup(SnapshotRef ref, PhysicalDetails details) {
    }

    /** Every physical backup in the repository, oldest first. */
    private List<Backup> backups() {
        List<Backup> out = new ArrayList<>();
        for (SnapshotRef r : new SnapshotStore(repo).list()) {
            if ("database".equals(r.snapshot().type()) && r.snapshot().details() != null
                    && PhysicalDetails.PHYSICAL.equals(r.snapshot().details().path("kind").asText())) {
                out.add(new Backup(r, Json.MAPPER.convertValue(r.snapshot().details(), PhysicalDetails.class)));
            }
        }
        out.sort(Comparator.comparing(b -> b.details().stopTime()));
        return out;
    }

    private Backup choose(Request request) {
        List<Backup> all = backups();
        if (request.backup() != null) {
            Backup b = all.stream().filter(x -> x.ref().id().equals(request.backup().id())).findFirst().orElseThrow(() ->
                    LifeboatException.usage("snapshot '" + request.backup().id().shortHex() + "' is not a physical backup",
                            "choose one listed by 'lifeboat snapshots --type database' with kind physical"));
            if (request.systemIdentifier() != null && !request.systemIdentifier().equals(b.details().systemIdentifier())) {
                throw clusterMismatch(b, request.systemIdentifier());
            }
            return b;
        }
        List<String> clusters = all.stream().map(b -> b.details().systemIdentifier()).distinct().toList();
        String sysid = request.systemIdentifier();
        if (sysid == null) {
            if (clusters.size() > 1) {
                throw LifeboatException.usage("the repository holds physical backups of " + clusters.size() + " clusters",
                        "choose one with --cluster SYSTEM_ID: " + String.join(", ", clusters));
            }
        } else if (!clusters.contains(sysid)) {
            throw new LifeboatException(ErrorCode.CLUSTER_MISMATCH, "there is no physical backup of cluster " + sysid,
                    clusters.isEmpty() ? "take one with 'lifeboat backup --type database --mode physical'"
                            : "the repository holds backups of: " + String.join(", ", clusters));
        }
        List<Backup> mine = all.stream().filter(b -> sysid == null || b.details().systemIdentifier().equals(sysid)).toList();
        if (mine.isEmpty()) {
            throw new LifeboatException(ErrorCode.NOT_FOUND, "there is no physical backup in the repository",
                    "take one with 'lifeboat backup --type database --mode physical'");
        }
        RecoveryTarget t = request.target();
        return switch (t.kind()) {
            case TIME -> {
                Instant when = t.instant();
                Backup best = null;
                for (Backup b : mine) {
                    if (!b.details().stopTime().isAfter(when)) {
                        best = b;
                    }
                }
                if (best == null) {
                    throw LifeboatException.usage("target time " + when + " is before the oldest base backup, which "
                            + "finished at " + mine.get(0).details().stopTime(), "choose a later time");
                }
                yield best;
            }
            case LSN -> {
                Lsn lsn = t.lsn();
                Backup best = null;
                for (Backup b : mine) {
                    if (b.details().stopLsn().compareTo(lsn) <= 0) {
                        best = b;
                    }
                }
                if (best == null) {
                    throw LifeboatException.usage("target LSN " + lsn + " is before the end of the oldest base backup ("
                            + mine.get(0).details().stopLsn() + ")", "choose a later LSN");
                }
                yield best;
            }
            // a transaction id or restore point cannot be placed in time without reading WAL: the oldest
            // backup reaches every target after it
            case XID, NAME -> mine.get(0);
            case LATEST -> mine.get(mine.size() - 1);
        };
    }

    private static LifeboatException clusterMismatch(Backup b, String sysid) {
        return new LifeboatException(ErrorCode.CLUSTER_MISMATCH, "snapshot '" + b.ref().id().shortHex()
                + "' is a backup of cluster " + b.details().systemIdentifier() + ", not " + sysid,
                "choose a backup of the cluster you mean, or drop --cluster");
    }

    /** The WAL files to stage: history files, and segments from the backup's start on its timeline and later ones. */
    private TreeMap<String, String> walToStage(Backup b, Request request) {
        WalStore store = new WalStore(repo);
        String sysid = b.details().systemIdentifier();
        long segSize = b.details().walSegmentSize();
        WalSegmentName first = WalSegmentName.parse(b.details().startWal(), segSize);
        // file name to stage -> stored object name (a partial is staged under its segment's name)
        TreeMap<String, String> out = new TreeMap<>();
        List<String> files = store.list(sysid);
        for (String f : files) {
            if (f.endsWith(".history")) {
                out.put(f, f);
            }
        }
        for (String f : files) {
            if (f.endsWith(".history") || f.endsWith(".backup")) {
                continue;
            }
            String seg = f.substring(0, 24);
            WalSegmentName n = WalSegmentName.parse(seg, segSize);
            if (n.timeline() < first.timeline() || n.segment() < first.segment()) {
                continue;
            }
            if (WalStore.isPartial(f) && out.containsKey(seg)) {
                continue;
            }
            out.put(seg, f);
        }
        // continuity on the backup's timeline from its first segment to its stop segment and beyond
        WalSegmentName last = WalSegmentName.parse(b.details().stopWal(), segSize);
        for (WalSegmentName s = first; s.compareTo(last) <= 0; s = s.next()) {
            if (!out.containsKey(s.toString())) {
                throw new LifeboatException(ErrorCode.INTEGRITY, "WAL segment " + s + " needed by base backup '"
                        + b.ref().id().shortHex() + "' is missing from the repository",
                        "the backup cannot be made consistent; choose another backup, and run 'lifeboat wal verify'");
            }
        }
        WalSegmentName expect = last.next();
        WalSegmentName lastPresent = last;
        for (String name : out.keySet()) {
            if (name.endsWith(".history")) {
                continue;
            }
            WalSegmentName n = WalSegmentName.parse(name, segSize);
            if (n.timeline() != first.timeline() || n.compareTo(last) <= 0) {
                continue;
            }
            if (!n.equals(expect)) {
                RecoveryTarget t = request.target();
                if (t.kind() == RecoveryTarget.Kind.LSN && t.lsn().compareTo(expect.start()) < 0) {
                    break;
                }
                throw new LifeboatException(ErrorCode.INTEGRITY, "WAL segment " + expect + " is missing from the "
                        + "repository (the next one stored is " + n + ")", "recovery cannot pass the gap; choose a "
                        + "target before " + expect.start() + " or a later base backup, and run 'lifeboat wal verify'");
            }
            lastPresent = n;
            expect = n.next();
        }
        RecoveryTarget t = request.target();
        if (t.kind() == RecoveryTarget.Kind.LSN && t.lsn().compareTo(lastPresent.next().start()) >= 0) {
            throw LifeboatException.usage("target LSN " + t.lsn() + " is after the newest WAL in the repository (which "
                    + "ends in segment " + lastPresent + ")", "choose an earlier LSN, or --latest");
        }
        if (t.kind() == RecoveryTarget.Kind.TIME) {
            Instant newest = store.read(b.details().systemIdentifier(), out.lastEntry().getValue()).storedAt();
            if (t.instant().isAfter(newest.plusSeconds(1))) {
                throw LifeboatException.usage("target time " + t.instant() + " is after the newest WAL in the repository, "
                        + "stored at " + newest, "choose an earlier time, or --latest");
            }
        }
        return out;
    }

    public Plan plan(Request request) {
        Backup b = choose(request);
        return plan(b, walToStage(b, request), request);
    }

    private static Plan plan(Backup b, TreeMap<String, String> wal, Request request) {
        String firstWal = b.details().startWal();
        String lastWal = wal.keySet().stream().filter(n -> !n.endsWith(".history")).reduce((x, y) -> y).orElse(firstWal);
        long bytes = b.ref().snapshot().summary().bytes();
        long walBytes = (long) wal.size() * b.details().walSegmentSize();
        // measured on the reference machine: restore writes about 150 MB/s, replay about 60 MB/s of WAL
        long estimate = bytes / (150L << 20) + walBytes / (60L << 20) + 5;
        return new Plan(b.ref().id().hex(), b.ref().snapshot().time(), b.details().systemIdentifier(),
                b.details().timeline(), b.details().startLsn(), b.details().stopLsn(), firstWal, lastWal, wal.size(),
                bytes, request.target().describe(), request.targetDir().toAbsolutePath().toString(), request.port(),
                estimate);
    }

    public Result run(Request request) {
        Instant start = Instant.now();
        Path dir = request.targetDir().toAbsolutePath().normalize();
        refuseNonEmpty(dir);
        Backup b = choose(request);
        TreeMap<String, String> wal = walToStage(b, request);
        Plan plan = plan(b, wal, request);
        PhysicalDetails d = b.details();

        Map<String, Path> relocations = new LinkedHashMap<>();
        relocations.put(nodePath(d.dataDirectory()), dir);
        StringBuilder tablespaceMap = new StringBuilder();
        for (var t : d.tablespaces()) {
            Path to = dir.resolveSibling(dir.getFileName() + "_tablespaces").resolve(t.oid());
            relocations.put(nodePath(t.location()), to);
            tablespaceMap.append(t.oid()).append(' ').append(to).append('\n');
        }
        WalStaging prepared;
        try (EarlySync ignored = new EarlySync(relocations.values())) {
            prepared = prepare(b, dir, wal, tablespaceMap.toString(), relocations, request);
        }
        try (WalStaging staging = prepared) {
            LocalCluster cluster = LocalCluster.existing(request.tools(), dir, request.port());
            try {
                cluster.start();
            } catch (LifeboatException e) {
                throw staging.failure() != null ? staging.failure() : e;
            }
            return awaitPromotion(cluster, staging, plan, request, start);
        }
    }

    /**
     * Restores the base backup's files, starts staging the WAL (history files first: the server reads
     * them when it starts), and writes what recovery reads: backup_label, tablespace_map, the recovery
     * settings and recovery.signal.
     */
    private WalStaging prepare(Backup b, Path dir, TreeMap<String, String> wal, String tablespaceMap,
                               Map<String, Path> relocations, Request request) {
        PhysicalDetails d = b.details();
        FileRestore.Result files = new FileRestore(repo, progress).run(FileRestore.Request.relocated(b.ref(), relocations));
        if (!files.errors().isEmpty()) {
            throw LifeboatException.integrity("the base backup could not be restored: " + files.errors().get(0));
        }
        Map<String, String> order = new LinkedHashMap<>();
        wal.forEach((name, stored) -> {
            if (name.endsWith(".history")) {
                order.put(name, stored);
            }
        });
        order.putAll(wal);
        WalStaging staging = null;
        try {
            staging = new WalStaging(dir.resolveSibling(dir.getFileName() + ".wal"), new WalStore(repo),
                    d.systemIdentifier(), d.walSegmentSize(), order, progress).start();
            Files.writeString(dir.resolve("backup_label"), d.backupLabel(), StandardCharsets.UTF_8);
            if (!d.tablespaces().isEmpty()) {
                Files.writeString(dir.resolve("tablespace_map"), tablespaceMap, StandardCharsets.UTF_8);
            }
            writeConfiguration(dir, staging.restoreCommand(), request);
            Files.createFile(dir.resolve("recovery.signal"));
            for (Path p : relocations.values()) {
                ownAll(p);
            }
            return staging;
        } catch (IOException | RuntimeException e) {
            if (staging != null) {
                staging.close();
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new LifeboatException(ErrorCode.FAILURE, "cannot prepare '" + dir + "' for recovery: " + e.getMessage(),
                    "check free space and permissions of the target's parent folder");
        }
    }

    /** Waits until the started cluster left recovery (it promotes itself at the target) and reports where it ended. */
    private static Result awaitPromotion(LocalCluster cluster, WalStaging staging, Plan plan, Request request,
                                         Instant start) {
        ConnectionSpec conn = cluster.connection("postgres");
        Instant deadline = Instant.now().plus(request.timeout());
        int timeline;
        String lsn;
        while (true) {
            if (staging.failure() != null) {
                stopQuietly(cluster);
                throw staging.failure();
            }
            try (Connection c = conn.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery(), "
                         + "(SELECT timeline_id FROM pg_control_checkpoint()), pg_current_wal_lsn()::text "
                         + "FROM (SELECT 1) x WHERE NOT pg_is_in_recovery()")) {
                if (rs.next()) {
                    timeline = rs.getInt(2);
                    lsn = rs.getString(3);
                    break;
                }
            } catch (SQLException | LifeboatException e) {
                if (!isStarting(e)) {
                    throw new LifeboatException(ErrorCode.DATABASE, "the restored cluster does not answer: " + e.getMessage(),
                            "see its log '" + cluster.logFile() + "'");
                }
            }
            if (Instant.now().isAfter(deadline)) {
                // the cluster keeps running: it must find every file it may still ask for
                staging.finish();
                throw new LifeboatException(ErrorCode.DATABASE, "recovery did not finish within " + request.timeout(),
                        "see the server log '" + cluster.logFile() + "'; the cluster keeps running in '"
                                + cluster.dataDir() + "'");
            }
            sleep();
        }
        String stop = logLine(cluster.logFile(), "recovery stopping");
        String lastTx = logLine(cluster.logFile(), "last completed transaction");
        return new Result(plan, conn.display(), timeline, lsn, stop, lastTx, Duration.between(start, Instant.now()).toMillis());
    }

    /** Stops a cluster whose recovery failed; it may have stopped by itself already. */
    private static void stopQuietly(LocalCluster cluster) {
        try {
            cluster.stop();
        } catch (LifeboatException e) {
            // pg_ctl fails when the server already exited after its restore_command's fatal error
        }
    }

    private static boolean isStarting(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("starting up") || m.contains("recovery") || m.contains("Connection refused")
                || m.contains("cannot connect");
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted while waiting for recovery");
        }
    }

    private static String logLine(Path log, String marker) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.contains(marker)).reduce((a, x) -> x)
                    .map(l -> l.substring(l.indexOf(marker))).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static void writeConfiguration(Path dir, String restoreCommand, Request request) throws IOException {
        Path conf = dir.resolve("postgresql.conf");
        if (!Files.exists(conf)) {
            // Debian keeps postgresql.conf and pg_hba.conf outside the data directory: give the copy its own
            Files.writeString(conf, "# written by lifeboat for a restored cluster\nmax_connections = 100\n"
                    + "shared_buffers = 128MB\n", StandardCharsets.UTF_8);
        }
        if (!Files.exists(dir.resolve("pg_hba.conf"))) {
            Files.writeString(dir.resolve("pg_hba.conf"), "local all all peer\nhost all postgres 127.0.0.1/32 trust\n",
                    StandardCharsets.UTF_8);
        }
        if (!Files.exists(dir.resolve("pg_ident.conf"))) {
            Files.writeString(dir.resolve("pg_ident.conf"), "", StandardCharsets.UTF_8);
        }
        String settings = "\n# written by lifeboat: point-in-time recovery\n"
                + "restore_command = '" + restoreCommand + "'\n"
                + request.target().settings()
                + "port = " + request.port() + "\n"
                + "listen_addresses = '127.0.0.1'\n"
                + "unix_socket_directories = '" + dir.resolveSibling(dir.getFileName() + ".sock") + "'\n"
                + "archive_mode = off\n"
                + "primary_conninfo = ''\n"
                + "primary_slot_name = ''\n"
                + "hba_file = '" + dir.resolve("pg_hba.conf") + "'\n"
                + "ident_file = '" + dir.resolve("pg_ident.conf") + "'\n"
                + "data_directory = '" + dir + "'\n";
        Files.writeString(dir.resolve("postgresql.auto.conf"), settings, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Gives the restored folders to the postgres user (its uid may differ from the backed-up host's). */
    private static void ownAll(Path root) throws IOException {
        LocalCluster.giveToPostgres(root);
        try (var walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                LocalCluster.chownToPostgres(p);
            }
        }
    }

    private static void refuseNonEmpty(Path dir) {
        if (Files.exists(dir)) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new LifeboatException(ErrorCode.ALREADY_EXISTS, "data directory '" + dir + "' is not empty",
                            "give a new or empty --target-dir; Lifeboat never overwrites a data directory");
                }
            } catch (IOException e) {
                throw new LifeboatException(ErrorCode.FAILURE, "cannot read '" + dir + "': " + e.getMessage(), null);
            }
        }
    }

    private static String nodePath(String absolute) {
        String p = Path.of(absolute).normalize().toString();
        return p.startsWith("/") ? p.substring(1) : p;
    }
}
