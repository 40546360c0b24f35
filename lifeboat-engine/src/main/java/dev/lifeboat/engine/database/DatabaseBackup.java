package dev.lifeboat.engine.database;

import dev.lifeboat.engine.store.ChunkPipeline;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.PgProcess;
import dev.lifeboat.postgres.PgTools;
import dev.lifeboat.postgres.ServerInfo;
import dev.lifeboat.postgres.logical.DatabaseFacts;
import dev.lifeboat.postgres.logical.DumpRowCounter;
import dev.lifeboat.postgres.logical.ExportedSnapshot;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Futures;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.Summary;
import dev.lifeboat.repo.snapshot.TreeWriter;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Logical backups: pg_dump in custom format without compression streams straight into the chunker (no
 * temporary file; the repository compresses, and successive dumps deduplicate), while the rows of every
 * table are counted in the stream ({@link DumpRowCounter}); the schema fingerprint, and the counts of tables
 * the dump holds no rows of, are taken in the same exported transaction snapshot. With {@code all}, every
 * database is dumped and the globals (roles, tablespaces) too.
 */
public final class DatabaseBackup {
    /** What to back up. */
    public record Request(ConnectionSpec connection, boolean all, List<String> tags, String appVersion,
                          PgTools tools) {
        public Request {
            tags = List.copyOf(tags);
        }
    }

    private final Repository repo;
    private final Progress progress;
    private final int threads;

    public DatabaseBackup(Repository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
        this.threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** The node path of a database's dump in the snapshot tree. */
    public static String nodePath(String database) {
        return "databases/" + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("*", "%2A") + ".dump";
    }

    public SnapshotRef run(Request request) {
        Instant start = Instant.now();
        ConnectionSpec conn = request.connection();
        List<String> databases;
        ServerInfo server;
        try (Connection c = conn.connect()) {
            server = ServerInfo.read(c);
            databases = request.all() ? listDatabases(c) : List.of(conn.database());
        } catch (SQLException e) {
            throw conn.error(e);
        }
        PgTools.Tool pgDump = request.tools().forServer("pg_dump", server.major());
        progress.start("dump", -1, Progress.Unit.BYTES);
        List<DumpInfo> dumps = new ArrayList<>();
        String globals = null;
        List<Node> nodes = new ArrayList<>();
        long totalBytes = 0;
        try (RepoWriter writer = new RepoWriter(repo, threads);
             ChunkPipeline pipeline = new ChunkPipeline(writer, repo.config().chunker(), progress, threads);
             ExecutorService counter = Executors.newSingleThreadExecutor()) {
            if (request.all()) {
                PgTools.Tool dumpall = request.tools().forServer("pg_dumpall", server.major());
                Dumped g = dump(pipeline, List.of(dumpall.path().toString(), "--globals-only", "--no-password"),
                        conn.withDatabase("postgres"), "globals.sql", null);
                nodes.add(g.node());
                globals = g.node().path();
                totalBytes += g.node().size();
            }
            for (String db : databases) {
                ConnectionSpec target = conn.withDatabase(db);
                Instant dbStart = Instant.now();
                AtomicReference<Future<DatabaseFacts>> counting = new AtomicReference<>();
                try (ExportedSnapshot snapshot = ExportedSnapshot.open(target);
                     DumpRowCounter rows = new DumpRowCounter(
                             () -> counting.set(counter.submit(() -> snapshot.facts(Map.of()))))) {
                    Dumped d = dump(pipeline, List.of(pgDump.path().toString(), "--format=custom", "--compress=0",
                            "--snapshot=" + snapshot.id(), "--no-password", "--dbname=" + db), target, nodePath(db),
                            rows::accept);
                    DumpRowCounter.Counts counted = rows.finish();
                    // the dump's own rows when they could be counted, else count(*) of every table (started as soon
                    // as the counter gave up, while the dump went on)
                    DatabaseFacts facts = counted.usable() ? snapshot.facts(counted.rows())
                            : Futures.get(counting.get());
                    nodes.add(d.node());
                    totalBytes += d.node().size();
                    dumps.add(new DumpInfo(d.node().path(), "custom", d.node().size(), d.node().sha256(),
                            Duration.between(dbStart, Instant.now()).toMillis(), facts));
                }
            }
            nodes.sort((a, b) -> dev.lifeboat.repo.snapshot.PathOrder.INSTANCE.compare(a.path(), b.path()));
            TreeWriter tree = new TreeWriter(writer, repo.config().chunker().forTrees());
            tree.add(dirNode("databases", start));
            nodes.forEach(tree::add);
            List<BlobId> treeIds = tree.finish();
            writer.flush();
            progress.finish();
            RepoWriter.Stats stats = writer.stats();
            DatabaseDetails details = new DatabaseDetails(DatabaseDetails.LOGICAL, conn.display(), server,
                    pgDump.version(), dumps, globals);
            Summary summary = new Summary(nodes.size(), 1, 0, totalBytes, stats.newBlobs(), stats.newBytes(),
                    stats.storedBytes(), Duration.between(start, Instant.now()).toMillis(), 0);
            String source = request.all() ? "all" : conn.database();
            Snapshot snapshot = new Snapshot(Snapshot.VERSION, start, "database", source, RepoLock.hostname(),
                    System.getProperty("user.name"), List.of(conn.display()), request.tags(), List.of(), null,
                    treeIds, summary, Json.MAPPER.valueToTree(details), request.appVersion());
            return new SnapshotStore(repo).save(snapshot);
        }
    }

    private record Dumped(Node node) {
    }

    private Dumped dump(ChunkPipeline pipeline, List<String> command, ConnectionSpec target, String path,
                        ChunkPipeline.Tap tap) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ChunkPipeline.Saved saved;
        try (PgProcess p = PgProcess.start(command, PgProcess.withLargeStdoutBuffer(target.childEnvironment()), null,
                false)) {
            p.stdin().close();
            try (InputStream out = p.stdout()) {
                saved = pipeline.save(out, sha, tap);
            }
            p.waitSuccess();
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.DATABASE, "reading the output of '" + command.get(0) + "' failed: "
                    + e.getMessage(), null);
        }
        long now = Instant.now().toEpochMilli() * 1_000_000;
        Node node = new Node(path, NodeType.FILE, 0600, null, null, null, null, now, saved.length(), null, saved.ids(),
                HexFormat.of().formatHex(saved.digest()), null, null, null);
        return new Dumped(node);
    }

    private static Node dirNode(String path, Instant time) {
        return new Node(path, NodeType.DIR, 0700, null, null, null, null, time.toEpochMilli() * 1_000_000, 0, null,
                null, null, null, null, null);
    }

    private static List<String> listDatabases(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate "
                     + "ORDER BY datname COLLATE \"C\"")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

}
