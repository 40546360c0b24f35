package dev.lifeboat.engine.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.engine.certs.CertificateInspector;
import dev.lifeboat.engine.store.ChunkPipeline;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Ahead;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Futures;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.chunker.ChunkerParams;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.PathOrder;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.Summary;
import dev.lifeboat.repo.snapshot.TreeReader;
import dev.lifeboat.repo.snapshot.TreeWriter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backs up file trees (application files, configuration, certificates) into one snapshot.
 *
 * <p>The walker visits paths depth-first in {@link PathOrder}; a file unchanged since the parent
 * snapshot (same size, mtime, ctime, inode) reuses its content without being read; other files are
 * read and chunked by reader threads while blob workers hash, compress, encrypt and pack the chunks.
 * Nodes are written to the tree in walk order. The snapshot is saved only after every pack and index
 * it needs is stored.
 */
public final class FileBackup {
    private static final int QUEUE_DEPTH = 4096;
    /**
     * Nodes go to the tree writer in batches: handed over one at a time, each woke the writer's thread, and
     * a no-change backup of 21,700 files spent more time in those wake-ups than in writing the tree.
     */
    private static final int BATCH = 128;
    /** The parent's tree is read this many nodes at a time, and up to PARENT_BATCHES batches ahead of the walk. */
    private static final int PARENT_BATCH = 256;
    private static final int PARENT_BATCHES = 8;
    /**
     * Reader threads at least, whatever the number of cores: a reader waits for its file's blobs, and small
     * files read from a cold disk wait on the disk in turn, so reads in flight at once overlap those waits
     * (reading 20,000 small files cold took 4.5 s one at a time, 1.8 s sixteen at a time).
     */
    private static final int READERS = 8;

    /** What to back up. */
    public record Request(SourceType type, List<Path> paths, List<String> excludes, List<String> includes,
                          List<String> tags, String appVersion, boolean useParent, int certificateWarnDays) {
        public Request {
            paths = List.copyOf(paths);
            excludes = List.copyOf(excludes);
            includes = List.copyOf(includes);
            tags = List.copyOf(tags);
        }
    }

    /** What the backup did. */
    public record Result(SnapshotRef snapshot, BlobId parent, List<String> warnings) {
        public boolean incomplete() {
            return !warnings.isEmpty();
        }
    }

    private final Repository repo;
    private final Progress progress;
    private final int threads;
    private int compressionLevel = -1;
    private int fixedPieces;

    public FileBackup(Repository repo, Progress progress) {
        this(repo, progress, Runtime.getRuntime().availableProcessors());
    }

    public FileBackup(Repository repo, Progress progress, int threads) {
        this.repo = repo;
        this.progress = progress;
        this.threads = Math.max(1, threads);
    }

    /**
     * Cuts files at fixed offsets, every {@code size} bytes, instead of at content-defined boundaries (see
     * {@link ChunkPipeline#saveFixed}); 0 for content-defined chunking.
     */
    public FileBackup fixedPieces(int size) {
        this.fixedPieces = size;
        return this;
    }

    /** Compresses new blobs at this zstd level (0: not at all) instead of the repository's level. */
    public FileBackup compressionLevel(int level) {
        this.compressionLevel = level;
        return this;
    }

    /**
     * What storing the trees produced: everything a snapshot needs except the source-specific details a
     * caller adds (physical database backups store their trees here, then stop the backup and save).
     */
    public record Stored(Instant start, String hostname, List<String> roots, SnapshotRef parent, List<BlobId> tree,
                         Summary summary, List<String> warnings, JsonNode certificateDetails) {
    }

    public Result run(Request request) {
        if (!request.type().isFileTree()) {
            throw new IllegalArgumentException("FileBackup backs up file trees, not " + request.type().label());
        }
        Stored s = store(request);
        Snapshot snapshot = new Snapshot(Snapshot.VERSION, s.start(), request.type().label(), null, s.hostname(),
                System.getProperty("user.name"), s.roots(), request.tags(), request.excludes(),
                s.parent() == null ? null : s.parent().id(), s.tree(), s.summary(), s.certificateDetails(),
                request.appVersion());
        SnapshotRef saved = new SnapshotStore(repo).save(snapshot);
        return new Result(saved, s.parent() == null ? null : s.parent().id(), s.warnings());
    }

    /**
     * Stores the file trees of the request (data, trees and index, all durable when this returns) without
     * saving a snapshot. The parent is the newest snapshot of the same type, host and paths.
     */
    public Stored store(Request request) {
        Instant start = Instant.now();
        List<Path> roots = normalizeRoots(request.paths());
        List<String> rootStrings = roots.stream().map(Path::toString).toList();
        Globs excludes = new Globs(request.excludes(), "--exclude");
        Globs includes = new Globs(request.includes(), "config.include");
        String hostname = dev.lifeboat.repo.lock.RepoLock.hostname();
        SnapshotStore store = new SnapshotStore(repo);
        SnapshotRef parent = request.useParent() ? findParent(store, request.type(), hostname, rootStrings) : null;

        ChunkerParams params = repo.config().chunker();
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        AtomicLong files = new AtomicLong();
        AtomicLong dirs = new AtomicLong();
        AtomicLong links = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        List<CertificateInspector.CertInfo> certificates = Collections.synchronizedList(new ArrayList<>());
        List<String> privateKeys = Collections.synchronizedList(new ArrayList<>());

        progress.start("backup", -1, Progress.Unit.BYTES);
        try (Ahead<Node> parentTree = parent == null ? null : new Ahead<>(
                     new TreeReader(repo, parent.snapshot().tree()), PARENT_BATCH, PARENT_BATCHES, "lifeboat-parent");
             RepoWriter writer = new RepoWriter(repo, threads,
                compressionLevel < 0 ? repo.codec() : repo.codec().withLevel(compressionLevel));
             ExecutorService readers = Executors.newFixedThreadPool(Math.max(threads, READERS), named("lifeboat-read"));
             ChunkPipeline pipeline = new ChunkPipeline(writer, params, progress, threads);
             ExecutorService treeThread = Executors.newSingleThreadExecutor(named("lifeboat-tree"))) {
            ParentCursor parentNodes = parentTree == null ? ParentCursor.empty() : new ParentCursor(parentTree);
            TreeWriter tree = new TreeWriter(writer, params.forTrees());
            BlockingQueue<List<Future<Node>>> ordered = new ArrayBlockingQueue<>(QUEUE_DEPTH / BATCH);
            List<Future<Node>> end = List.of();
            Future<?> treeTask = treeThread.submit(() -> {
                while (true) {
                    List<Future<Node>> batch = ordered.take();
                    if (batch == end) {
                        return null;
                    }
                    for (Future<Node> f : batch) {
                        Node n = Futures.get(f);
                        if (n != null) {
                            tree.add(n);
                        }
                    }
                }
            });

            Walker walker = new Walker() {
                long discovered;
                List<Future<Node>> batch = new ArrayList<>(BATCH);

                @Override
                void emit(Node node, Path file) {
                    switch (node.type()) {
                        case DIR -> dirs.incrementAndGet();
                        case SYMLINK -> links.incrementAndGet();
                        case FILE -> {
                            files.incrementAndGet();
                            bytes.addAndGet(node.size());
                            discovered += node.size();
                            progress.total(discovered);
                        }
                    }
                    if (node.type() == NodeType.FILE && request.type() == SourceType.CERTIFICATES) {
                        inspectCertificate(file, node, certificates, privateKeys);
                    }
                    Future<Node> f;
                    if (node.type() != NodeType.FILE) {
                        f = CompletableFuture.completedFuture(node);
                    } else {
                        Node before = parentNodes.find(node.path());
                        if (FileMeta.unchanged(node, before) && allIndexed(before.content())) {
                            progress.advance(node.size());
                            f = CompletableFuture.completedFuture(node.withContent(before.content()));
                        } else {
                            f = readers.submit(() -> readFile(file, node, pipeline, warnings));
                        }
                    }
                    batch.add(f);
                    if (batch.size() == BATCH) {
                        put(ordered, batch, treeTask);
                        batch = new ArrayList<>(BATCH);
                    }
                }

                @Override
                void finish() {
                    if (!batch.isEmpty()) {
                        put(ordered, batch, treeTask);
                    }
                    put(ordered, end, treeTask);
                }

                @Override
                void warn(String message) {
                    warnings.add(message);
                    progress.warn(message);
                }
            };
            walker.excludes = excludes;
            walker.includes = request.type() == SourceType.CONFIG ? includes : null;
            try {
                walker.walk(roots);
                walker.finish();
                Futures.get(treeTask);
            } catch (RuntimeException | Error e) {
                // the tree writer would wait forever for nodes that will not come
                treeTask.cancel(true);
                throw e;
            }
            List<BlobId> treeIds = tree.finish();
            writer.flush();
            progress.finish();

            RepoWriter.Stats stats = writer.stats();
            long millis = Duration.between(start, Instant.now()).toMillis();
            Summary summary = new Summary(files.get(), dirs.get(), links.get(), bytes.get(), stats.newBlobs(),
                    stats.newBytes(), stats.storedBytes(), millis, warnings.size());
            JsonNode details = request.type() == SourceType.CERTIFICATES
                    ? Json.MAPPER.valueToTree(CertificateInspector.details(certificates, privateKeys))
                    : null;
            return new Stored(start, hostname, rootStrings, parent, treeIds, summary, List.copyOf(warnings), details);
        }
    }

    private boolean allIndexed(List<BlobId> content) {
        for (BlobId id : content) {
            if (!repo.index().contains(id)) {
                return false;
            }
        }
        return true;
    }

    private static void inspectCertificate(Path file, Node node, List<CertificateInspector.CertInfo> certificates,
                                           List<String> privateKeys) {
        if (node.size() > CertificateInspector.MAX_SIZE) {
            return;
        }
        try {
            byte[] content = Files.readAllBytes(file);
            certificates.addAll(CertificateInspector.certificates(node.path(), content));
            if (CertificateInspector.isPrivateKey(content)) {
                privateKeys.add(node.path());
            }
        } catch (IOException e) {
            // the reader reports unreadable files
        }
    }

    private Node readFile(Path file, Node node, ChunkPipeline pipeline, List<String> warnings) {
        ChunkPipeline.Saved saved;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            if (fixedPieces > 0) {
                saved = pipeline.saveFixed(in, fixedPieces);
            } else if (node.size() <= pipeline.smallLimit()) {
                saved = pipeline.saveSmall(in);
            } else {
                saved = pipeline.save(in, null);
            }
        } catch (NoSuchFileException e) {
            return unreadable(warnings, "file '" + file + "' vanished during the backup");
        } catch (AccessDeniedException e) {
            return unreadable(warnings, "cannot read '" + file + "': permission denied");
        } catch (IOException e) {
            return unreadable(warnings, "cannot read '" + file + "': " + e.getMessage());
        }
        if (saved.length() != node.size()) {
            // the file changed while it was read: record what was read, with its real size, and no ctime so
            // that the next backup reads it again
            progress.advance(saved.length() - node.size());
            return new Node(node.path(), node.type(), node.mode(), node.uid(), node.gid(), node.user(), node.group(),
                    node.mtime(), saved.length(), node.target(), saved.ids(), null, node.inode(), node.device(), 0L);
        }
        return node.withContent(saved.ids());
    }

    private Node unreadable(List<String> warnings, String message) {
        warnings.add(message);
        progress.warn(message);
        return null;
    }

    /** Queues nodes for the tree writer; fails instead of waiting forever when the tree writer failed. */
    private static void put(BlockingQueue<List<Future<Node>>> queue, List<Future<Node>> batch, Future<?> treeTask) {
        try {
            while (!queue.offer(batch, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (treeTask.isDone()) {
                    Futures.get(treeTask);
                    throw new IllegalStateException("the tree writer stopped early");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted");
        }
    }

    private static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static SnapshotRef findParent(SnapshotStore store, SourceType type, String hostname, List<String> paths) {
        List<SnapshotRef> all = store.list();
        for (int i = all.size() - 1; i >= 0; i--) {
            Snapshot s = all.get(i).snapshot();
            if (s.type().equals(type.label()) && hostname.equals(s.hostname()) && s.paths().equals(paths)) {
                return all.get(i);
            }
        }
        return null;
    }

    /** Absolute, normalized, existing roots without one nested in another, in tree order. */
    static List<Path> normalizeRoots(List<Path> paths) {
        if (paths.isEmpty()) {
            throw LifeboatException.usage("no path to back up", "name at least one file or directory");
        }
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            Path abs = p.toAbsolutePath().normalize();
            if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
                throw LifeboatException.usage("path '" + p + "' does not exist", "check the path and try again");
            }
            out.add(abs);
        }
        out.sort((a, b) -> PathOrder.INSTANCE.compare(a.toString(), b.toString()));
        List<Path> kept = new ArrayList<>();
        for (Path p : out) {
            if (kept.stream().noneMatch(p::startsWith)) {
                kept.add(p);
            }
        }
        return kept;
    }

    /** Depth-first walk in tree order; subclasses receive nodes. */
    abstract static class Walker {
        Globs excludes;
        Globs includes;
        private final Deque<Node> pendingDirs = new ArrayDeque<>();
        /** Directories already written; ancestors shared by several roots are written once. */
        private final Set<String> emittedDirs = new HashSet<>();
        private DirectoryReader reader;

        abstract void emit(Node node, Path file);

        abstract void warn(String message);

        /** Called once after the walk. */
        void finish() {
        }

        void walk(List<Path> roots) {
            try (DirectoryReader r = new DirectoryReader()) {
                reader = r;
                walkRoots(roots);
            } finally {
                reader = null;
            }
        }

        private void walkRoots(List<Path> roots) {
            for (Path root : roots) {
                String rel = DirectoryReader.nodePath(root);
                Path ancestor = root.getRoot();
                for (Path part : root.getParent() == null ? List.<Path>of() : root.getParent()) {
                    ancestor = ancestor.resolve(part);
                    String ap = DirectoryReader.nodePath(ancestor);
                    if (!emittedDirs.contains(ap)) {
                        Node n = meta(ancestor, ap);
                        if (n != null) {
                            emitDir(n, ancestor);
                        }
                    }
                }
                if (rel.isEmpty()) {
                    children(root, root);
                } else {
                    visit(root, root, rel);
                }
                pendingDirs.clear();
            }
        }

        private void visit(Path root, Path path, String rel) {
            Node node = meta(path, rel);
            if (node != null) {
                visit(root, path, node);
            }
        }

        private void visit(Path root, Path path, Node node) {
            if (node.type() == NodeType.DIR) {
                emitDir(node, path);
                children(root, path);
                if (!pendingDirs.isEmpty() && pendingDirs.peekLast() == node) {
                    pendingDirs.removeLast();
                }
            } else {
                if (includes != null && !includes.matches(path.toString(), relative(root, path),
                        path.getFileName().toString(), false)) {
                    return;
                }
                flushPending();
                emit(node, path);
            }
        }

        private void emitDir(Node node, Path path) {
            if (includes != null) {
                pendingDirs.addLast(node);
            } else {
                emittedDirs.add(node.path());
                emit(node, path);
            }
        }

        private void flushPending() {
            while (!pendingDirs.isEmpty()) {
                Node n = pendingDirs.removeFirst();
                emittedDirs.add(n.path());
                emit(n, null);
            }
        }

        private void children(Path root, Path dir) {
            DirectoryReader.Listing listing = reader.take(dir);
            if (listing.children() == null) {
                warn(listing.warning());
                return;
            }
            List<DirectoryReader.Child> children = listing.children();
            boolean[] skip = new boolean[children.size()];
            for (int i = 0; i < skip.length; i++) {
                DirectoryReader.Child c = children.get(i);
                Node node = c.node();
                skip[i] = node == null || excludes.matches(c.path().toString(), relative(root, c.path()), node.name(),
                        node.type() == NodeType.DIR);
                if (!skip[i] && node.type() == NodeType.DIR) {
                    reader.ahead(c.path(), node.path());
                }
            }
            for (int i = 0; i < skip.length; i++) {
                DirectoryReader.Child c = children.get(i);
                if (c.warning() != null) {
                    warn(c.warning());
                }
                if (!skip[i]) {
                    visit(root, c.path(), c.node());
                }
            }
        }

        /** {@code root.relativize(path).toString()} for a path at or under the root, from their strings. */
        static String relative(Path root, Path path) {
            String r = root.toString();
            String p = path.toString();
            if (p.length() == r.length()) {
                return "";
            }
            return p.substring(r.endsWith("/") ? r.length() : r.length() + 1);
        }

        private Node meta(Path path, String rel) {
            DirectoryReader.Child c = DirectoryReader.stat(path, rel);
            if (c.warning() != null) {
                warn(c.warning());
            }
            return c.node();
        }
    }
}
