package dev.lifeboat.engine.database;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.PgProcess;
import dev.lifeboat.postgres.PgTools;
import dev.lifeboat.postgres.ServerInfo;
import dev.lifeboat.postgres.logical.ArchiveReader;
import dev.lifeboat.postgres.logical.DatabaseFacts;
import dev.lifeboat.postgres.logical.StreamedRestore;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.TreeReader;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Restores a logical database snapshot: plan, the dump's table of contents read (and, for a dump that
 * {@link StreamedRestore} cannot read and jobs &gt; 1, a verified temporary copy of the whole dump),
 * pre-restore hook, safety backup of the database about to be replaced, drop and create, the restore
 * ({@link StreamedRestore} from the dump as it streams out of the repository, or pg_restore in parallel
 * from the copy, or streamed), verification against the recorded facts, post-restore hook. Whatever can
 * fail without changing the target (a damaged dump header, a full temporary folder, a damaged copy, no
 * suitable pg_restore) fails before the hook and the drop.
 */
public final class DatabaseRestore {
    /** What to restore where. */
    public record Request(SnapshotRef snapshot, String sourceDatabase, ConnectionSpec target, boolean clean,
                          boolean safetyBackup, int jobs, boolean noOwner, List<String> criticalTables,
                          List<VerifyQuery> queries, String preHook, String postHook, PgTools tools, Path tempDir) {
        public Request {
            criticalTables = List.copyOf(criticalTables);
            queries = List.copyOf(queries);
        }
    }

    /** What a restore will do; printed by --dry-run and before a real restore. */
    public record Plan(
            @JsonProperty("snapshot") String snapshot,
            @JsonProperty("snapshotTime") Instant snapshotTime,
            @JsonProperty("sourceDatabase") String sourceDatabase,
            @JsonProperty("target") String target,
            @JsonProperty("targetExists") boolean targetExists,
            @JsonProperty("dropTarget") boolean dropTarget,
            @JsonProperty("safetyBackup") boolean safetyBackup,
            @JsonProperty("dumpBytes") long dumpBytes,
            @JsonProperty("tables") int tables,
            @JsonProperty("rows") long rows,
            @JsonProperty("jobs") int jobs,
            @JsonProperty("preHook") String preHook,
            @JsonProperty("postHook") String postHook,
            @JsonProperty("verify") List<String> verify,
            @JsonProperty("estimatedSeconds") long estimatedSeconds) {
    }

    /** What a restore did. */
    public record Result(
            @JsonProperty("plan") Plan plan,
            @JsonProperty("safetySnapshot") String safetySnapshot,
            @JsonProperty("checks") List<Verification.Check> checks,
            @JsonProperty("verified") boolean verified,
            @JsonProperty("durationMillis") long durationMillis) {
    }

    private final Repository repo;
    private final Progress progress;

    public DatabaseRestore(Repository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    /** The details and dump chosen from the snapshot. */
    private record Source(DatabaseDetails details, DumpInfo dump) {
    }

    /** The name of the database a restore of this snapshot takes ({@code requested}, or its only one). */
    public static String databaseIn(SnapshotRef snapshot, String requested) {
        return source(snapshot, requested).dump().facts().name();
    }

    private static Source source(Request request) {
        return source(request.snapshot(), request.sourceDatabase());
    }

    private static Source source(SnapshotRef ref, String requested) {
        var snap = ref.snapshot();
        if (!"database".equals(snap.type()) || snap.details() == null) {
            throw LifeboatException.usage("snapshot '" + ref.id().shortHex() + "' is a " + snap.type()
                    + " snapshot, not a database snapshot", "choose one listed by 'lifeboat snapshots --type database'");
        }
        DatabaseDetails details = Json.MAPPER.convertValue(snap.details(), DatabaseDetails.class);
        if (!DatabaseDetails.LOGICAL.equals(details.kind())) {
            throw LifeboatException.usage("snapshot '" + ref.id().shortHex() + "' is a physical backup",
                    "restore it with --mode physical");
        }
        DumpInfo dump;
        if (requested != null) {
            dump = details.find(requested);
            if (dump == null) {
                throw new LifeboatException(ErrorCode.NOT_FOUND, "snapshot '" + ref.id().shortHex()
                        + "' has no database '" + requested + "'", "it holds: " + names(details));
            }
        } else if (details.databases().size() == 1) {
            dump = details.databases().get(0);
        } else {
            throw LifeboatException.usage("snapshot '" + ref.id().shortHex() + "' holds "
                    + details.databases().size() + " databases", "choose one with --database NAME: " + names(details));
        }
        return new Source(details, dump);
    }

    private static String names(DatabaseDetails d) {
        return String.join(", ", d.databases().stream().map(x -> x.facts().name()).toList());
    }

    public Plan plan(Request request) {
        Source src = source(request);
        ConnectionSpec target = request.target();
        boolean exists = exists(target);
        if (exists && !request.clean()) {
            throw new LifeboatException(ErrorCode.ALREADY_EXISTS, "database '" + target.database() + "' already exists on '"
                    + target.host() + ":" + target.port() + "'",
                    "pass --clean to replace it (a safety backup is taken first), or --to-database NEW to restore beside it");
        }
        List<String> verify = new ArrayList<>();
        verify.add(request.criticalTables().isEmpty() ? "row counts of all " + src.dump().facts().tables().size()
                + " tables" : "row counts of " + String.join(", ", request.criticalTables()));
        verify.add("schema fingerprint");
        request.queries().forEach(q -> verify.add(q.sql() + " => " + q.expected()));
        long rows = src.dump().facts().tables().stream().mapToLong(t -> t.rows()).sum();
        // measured on the reference machine (bench/db-bench.sh, pgbench scale 100): pg_restore loads about
        // 16 MB/s of uncompressed custom-format dump including index builds
        long estimate = Math.max(1, src.dump().bytes() / (16L * 1024 * 1024));
        return new Plan(request.snapshot().id().hex(), request.snapshot().snapshot().time(), src.dump().facts().name(),
                target.display(), exists, exists, exists && request.safetyBackup(), src.dump().bytes(),
                src.dump().facts().tables().size(), rows, request.jobs(), request.preHook(), request.postHook(), verify,
                estimate);
    }

    /**
     * Restores.
     *
     * @param safetyBackup takes a backup of the target database before it is dropped, returning its snapshot
     */
    public Result run(Request request, Function<ConnectionSpec, SnapshotRef> safetyBackup) {
        Instant start = Instant.now();
        Plan plan = plan(request);
        Source src = source(request);
        ConnectionSpec target = request.target();
        // everything that can fail without touching the target is done before the hook, the safety backup
        // and the drop: the client program is chosen and a parallel restore's copy is written and verified
        ServerInfo server = serverInfo(target);
        PgTools.Tool pgRestore = request.tools().forServer("pg_restore", server.major());
        Node node = findNode(src.dump().node(), request.snapshot());
        // the dump's header and table of contents decide how it is restored; the TOC file is written now, so
        // that a full temporary folder fails before the target is touched
        String unsupported;
        Path tocFile = null;
        try (DumpStream probe = DumpStream.head(repo, node)) {
            ArchiveReader archive = ArchiveReader.open(probe);
            unsupported = StreamedRestore.unsupported(archive);
            if (unsupported == null) {
                tocFile = tocFile(request.tempDir(), archive.headerAndToc());
            }
        }
        progress.start("restore", node.size(), Progress.Unit.BYTES);
        Path temp = unsupported != null && request.jobs() > 1
                ? materialize(node, src.dump().sha256(), request.tempDir()) : null;
        Map<String, String> hookEnv = new HashMap<>();
        hookEnv.put("LIFEBOAT_SNAPSHOT", request.snapshot().id().hex());
        hookEnv.put("LIFEBOAT_DATABASE", target.database());
        String safety = null;
        try {
            if (request.preHook() != null) {
                Hooks.run("pre-restore", request.preHook(), hookEnv);
            }
            if (plan.safetyBackup()) {
                safety = safetyBackup.apply(target).id().hex();
            }
            recreate(target, src.dump(), plan.targetExists(), server.major());
            StreamedRestore.Options options = new StreamedRestore.Options(pgRestore.path(), target, request.jobs(),
                    request.noOwner());
            if (tocFile != null) {
                try (DumpStream in = new DumpStream(repo, node, progress)) {
                    StreamedRestore.run(ArchiveReader.open(in), tocFile, options);
                    in.verify(src.dump().sha256());
                }
            } else {
                pgRestore(options, node, src.dump().sha256(), temp);
            }
            progress.finish();
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.DATABASE, "restoring into '" + target.display() + "' failed: "
                    + e.getMessage(), safety == null ? null : "undo with: lifeboat restore --type database " + safety.substring(0, 8) + " --clean");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted");
        } catch (LifeboatException e) {
            if (safety == null) {
                throw e;
            }
            throw new LifeboatException(e.code(), e.getMessage(), "the database was backed up first; undo with: "
                    + "lifeboat restore --type database " + safety.substring(0, 8) + " --clean", e);
        } finally {
            deleteQuietly(temp);
            deleteQuietly(tocFile);
        }
        List<Verification.Check> checks = Verification.run(target, src.dump().facts(), request.criticalTables(),
                request.queries());
        boolean verified = checks.stream().allMatch(Verification.Check::ok);
        if (verified && request.postHook() != null) {
            Hooks.run("post-restore", request.postHook(), hookEnv);
        }
        return new Result(plan, safety, checks, verified, Duration.between(start, Instant.now()).toMillis());
    }

    /** Restores with pg_restore reading the whole dump: in parallel from the temporary copy, else streamed. */
    private void pgRestore(StreamedRestore.Options options, Node node, String sha256, Path temp)
            throws IOException, InterruptedException {
        ConnectionSpec target = options.target();
        if (temp != null) {
            List<String> cmd = options.command(List.of("--jobs=" + options.jobs(), temp.toString()));
            try (PgProcess p = PgProcess.start(cmd, target.childEnvironment(), null, false)) {
                p.stdin().close();
                p.stdout().transferTo(OutputStream.nullOutputStream());
                p.waitSuccess();
            }
            return;
        }
        try (PgProcess p = PgProcess.start(options.command(List.of()), target.childEnvironment(), null, false)) {
            Thread drain = Thread.ofPlatform().daemon().start(() -> {
                try {
                    p.stdout().transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            try (OutputStream in = p.stdin()) {
                writeVerified(node, sha256, in);
            } catch (IOException e) {
                p.waitSuccess();
                throw e;
            }
            p.waitSuccess();
            drain.join();
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover file in the temporary folder is all that is lost
            }
        }
    }

    private Node findNode(String path, SnapshotRef snapshot) {
        for (Node n : TreeReader.nodes(repo, snapshot.snapshot())) {
            if (n.path().equals(path)) {
                return n;
            }
        }
        throw LifeboatException.integrity("snapshot '" + snapshot.id().shortHex() + "' has no node '" + path + "'");
    }

    /** Writes the dump to the stream, failing at the end if its SHA-256 differs from the recorded one. */
    private void writeVerified(Node node, String sha256, OutputStream out) throws IOException {
        try (DumpStream in = new DumpStream(repo, node, progress)) {
            in.transferTo(out);
            in.verify(sha256);
        }
    }

    /** Writes the dump to a new file in the temporary folder (the system's by default), verifying its SHA-256. */
    private Path materialize(Node node, String sha256, Path tempDir) {
        Path dir = tempFolder(tempDir);
        String hint = "point --temp-dir at a writable folder, or use --jobs 1 to stream without a temporary copy";
        Path temp = createTemp(dir, "the temporary copy of the dump", ".dump", hint);
        try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
            writeVerified(node, sha256, out);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            if (e instanceof IOException io && String.valueOf(io.getMessage()).contains("No space left")) {
                throw new LifeboatException(ErrorCode.FAILURE, "no space left in '" + dir + "' for the "
                        + node.size() + "-byte dump", "free space there, point --temp-dir elsewhere, or use --jobs 1 "
                        + "to stream without a temporary copy");
            }
            if (e instanceof IOException io) {
                throw new LifeboatException(ErrorCode.FAILURE, "cannot write the temporary copy of the dump in '" + dir
                        + "': " + reason(io), hint);
            }
            throw (RuntimeException) e;
        }
        return temp;
    }

    private static Path tempFolder(Path tempDir) {
        return tempDir != null ? tempDir : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** A new file only this user can read, in {@code dir}, created with its folder if need be. */
    private static Path createTemp(Path dir, String what, String suffix, String hint) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot write " + what + " in '" + dir
                    + "': it is not a directory", hint);
        }
        try {
            Files.createDirectories(dir);
            return Files.createTempFile(dir, "lifeboat-restore-", suffix,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot write " + what + " in '" + dir + "': "
                    + reason(e), hint);
        }
    }

    /** Writes the dump's header and table of contents (a few kilobytes) to a new file in the temporary folder. */
    private static Path tocFile(Path tempDir, byte[] headerAndToc) {
        Path dir = tempFolder(tempDir);
        String what = "the dump's table of contents";
        String hint = "point --temp-dir at a writable folder";
        Path file = createTemp(dir, what, ".toc", hint);
        try {
            Files.write(file, headerAndToc, StandardOpenOption.WRITE);
            return file;
        } catch (IOException e) {
            deleteQuietly(file);
            throw new LifeboatException(ErrorCode.FAILURE, "cannot write " + what + " in '" + dir + "': "
                    + reason(e), hint);
        }
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
    }

    private static boolean exists(ConnectionSpec target) {
        ConnectionSpec admin = target.withDatabase("postgres");
        try (Connection c = admin.connect();
             PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            s.setString(1, target.database());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw admin.error(e);
        }
    }

    private static ServerInfo serverInfo(ConnectionSpec target) {
        ConnectionSpec admin = target.withDatabase("postgres");
        try (Connection c = admin.connect()) {
            return ServerInfo.read(c);
        } catch (SQLException e) {
            throw admin.error(e);
        }
    }

    /**
     * Drops (when it exists) and creates the target with the dump's encoding, and with its locale where the
     * server has it. A server without that locale, or a snapshot that did not record one, gets the server's
     * default locale; when that locale cannot hold the encoding (a LATIN1 dump on a UTF-8 cluster) the
     * database gets the C locale, which holds any encoding.
     */
    private static void recreate(ConnectionSpec target, DumpInfo dump, boolean exists, int serverMajor) {
        ConnectionSpec admin = target.withDatabase("postgres");
        String name = "\"" + target.database().replace("\"", "\"\"") + "\"";
        DatabaseFacts facts = dump.facts();
        String create = "CREATE DATABASE " + name + " TEMPLATE template0 ENCODING "
                + literal(facts.encoding() == null ? "UTF8" : facts.encoding());
        List<String> attempts = new ArrayList<>();
        if (facts.collate() != null && facts.ctype() != null) {
            attempts.add(create + " LC_COLLATE " + literal(facts.collate()) + " LC_CTYPE " + literal(facts.ctype()));
        }
        attempts.add(create);
        attempts.add(create + " LC_COLLATE 'C' LC_CTYPE 'C'");
        try (Connection c = admin.connect(); Statement s = c.createStatement()) {
            if (exists) {
                s.execute("DROP DATABASE " + name + (serverMajor >= 13 ? " WITH (FORCE)" : ""));
            }
            for (int i = 0; ; i++) {
                try {
                    s.execute(attempts.get(i));
                    return;
                } catch (SQLException e) {
                    // 22023: a locale the server lacks, or one that does not match the encoding
                    if (!"22023".equals(e.getSQLState()) || i == attempts.size() - 1) {
                        throw e;
                    }
                }
            }
        } catch (SQLException e) {
            throw admin.error(e);
        }
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
