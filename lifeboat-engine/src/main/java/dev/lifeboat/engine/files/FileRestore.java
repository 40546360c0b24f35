package dev.lifeboat.engine.files;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.BlobReader;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.TreeReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores a file snapshot into a target directory, putting back content, mode, owner and group (when
 * running as root), mtime and symlinks. Each file is written under a temporary name and renamed into
 * place only after every blob authenticated, so damage in the repository never yields a wrong file.
 */
public final class FileRestore {
    private static final String TEMP_SUFFIX = ".lifeboat-partial";
    private static final Set<OpenOption> TEMP_OPEN = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    private static final FileAttribute<Set<PosixFilePermission>> TEMP_MODE = PosixFilePermissions.asFileAttribute(
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    /** The JDK copies a heap buffer through a cached direct buffer of at most this size (see the launcher). */
    private static final int WRITE_SLICE = 1 << 20;
    /** Content handed to the reader as one group: enough for reads of whole pack ranges, little to hold. */
    private static final long BATCH_BYTES = 128 << 20;

    /** What to restore and where. */
    public record Request(SnapshotRef snapshot, Path target, List<String> includes, boolean overwrite,
                          Map<String, Path> relocations) {
        public Request {
            includes = List.copyOf(includes);
            relocations = Map.copyOf(relocations);
        }

        /** Restores under TARGET/&lt;original path&gt;. */
        public Request(SnapshotRef snapshot, Path target, List<String> includes, boolean overwrite) {
            this(snapshot, target, includes, overwrite, Map.of());
        }

        /**
         * Restores only the subtrees named by node path prefix (no leading '/'), each into its own folder
         * (the data directory of a point-in-time restore, its tablespaces elsewhere).
         */
        public static Request relocated(SnapshotRef snapshot, Map<String, Path> relocations) {
            return new Request(snapshot, relocations.values().iterator().next(), List.of(), false, relocations);
        }

        /** Where a node goes, or null when a relocated restore leaves it out. */
        Path destination(Path target, String nodePath) {
            if (relocations.isEmpty()) {
                return target.resolve(nodePath);
            }
            for (Map.Entry<String, Path> r : relocations.entrySet()) {
                if (nodePath.equals(r.getKey())) {
                    return r.getValue();
                }
                if (nodePath.startsWith(r.getKey() + "/")) {
                    return r.getValue().resolve(nodePath.substring(r.getKey().length() + 1));
                }
            }
            return null;
        }
    }

    /** What was restored; {@code errors} name the files that could not be. */
    public record Result(long files, long dirs, long symlinks, long bytes, List<String> errors) {
    }

    private final Repository repo;
    private final Progress progress;
    private final boolean root;

    public FileRestore(Repository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
        this.root = "root".equals(System.getProperty("user.name"));
    }

    public Result run(Request request) {
        Path target = request.target().toAbsolutePath().normalize();
        if (request.relocations().isEmpty()) {
            checkTarget(target, request.overwrite());
        } else {
            request.relocations().values().forEach(dir -> checkTarget(dir.toAbsolutePath(), request.overwrite()));
        }
        Globs includes = new Globs(request.includes(), "--include");
        Snapshot snapshot = request.snapshot().snapshot();
        boolean everything = includes.isEmpty() && request.relocations().isEmpty() && snapshot.summary() != null;
        progress.start("restore", everything ? snapshot.summary().bytes() : -1, Progress.Unit.BYTES);
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicLong files = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long dirs = 0;
        long links = 0;
        long total = 0;
        List<Node> dirNodes = new ArrayList<>();
        List<String> matchedDirs = new ArrayList<>();
        Set<Path> made = new HashSet<>();
        // the tree is read while the files named so far are restored, a batch at a time
        try (BlobReader reader = new BlobReader(repo)) {
            Batch batch = new Batch();
            for (Node n : TreeReader.nodes(repo, snapshot)) {
                Path dest = included(n, includes, matchedDirs) ? request.destination(target, n.path()) : null;
                if (dest == null) {
                    continue;
                }
                if (made.isEmpty()) {
                    createTarget(target, made);
                }
                total += n.size();
                switch (n.type()) {
                    case DIR -> {
                        mkdirs(dest, made);
                        dirNodes.add(n);
                        dirs++;
                    }
                    case SYMLINK -> {
                        mkdirs(dest.getParent(), made);
                        restoreSymlink(n, dest, errors);
                        links++;
                    }
                    case FILE -> {
                        mkdirs(dest.getParent(), made);
                        PendingFile file = new PendingFile(n, dest, errors, files, bytes);
                        if (n.content().isEmpty()) {
                            file.finish();
                        } else {
                            file.plan(batch);
                        }
                    }
                }
                if (batch.bytes >= BATCH_BYTES) {
                    reader.read(batch.wanted.keySet(), batch);
                    batch = new Batch();
                }
            }
            reader.read(batch.wanted.keySet(), batch);
            if (made.isEmpty()) {
                if (!includes.isEmpty()) {
                    throw new LifeboatException(ErrorCode.NOT_FOUND, "no path in snapshot '"
                            + request.snapshot().id().shortHex() + "' matches " + request.includes(),
                            "run 'lifeboat ls " + request.snapshot().id().shortHex() + "' to see its paths");
                }
                createTarget(target, made);
            }
            progress.total(total);
        }
        for (int i = dirNodes.size() - 1; i >= 0; i--) {
            Node d = dirNodes.get(i);
            try {
                applyMetadata(d, request.destination(target, d.path()));
            } catch (IOException e) {
                errors.add("directory '" + d.path() + "': cannot set metadata: " + e.getMessage());
            }
        }
        progress.finish();
        List<String> sorted = new ArrayList<>(errors);
        Collections.sort(sorted);
        return new Result(files.get(), dirs, links, bytes.get(), sorted);
    }

    private static void createTarget(Path target, Set<Path> made) {
        try {
            Files.createDirectories(target);
            made.add(target);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot create target '" + target + "': " + e.getMessage(),
                    "choose a writable target directory");
        }
    }

    /** Where one blob of a file goes: the file and the offset in it. */
    private record Chunk(PendingFile file, long offset) {
    }

    /** Files planned together: their blobs are read as one group, each once, in pack order. */
    private static final class Batch implements BlobReader.Sink {
        private final Map<BlobId, List<Chunk>> wanted = new HashMap<>();
        private long bytes;

        void add(BlobId id, Chunk chunk) {
            wanted.computeIfAbsent(id, k -> new ArrayList<>(1)).add(chunk);
        }

        @Override
        public void blob(BlobId id, byte[] data, int length) {
            for (Chunk c : wanted.get(id)) {
                c.file().write(c.offset(), data, length);
            }
        }

        @Override
        public void failed(BlobId id, LifeboatException error) {
            for (Chunk c : wanted.get(id)) {
                c.file().fail(error.getMessage());
            }
        }
    }

    /**
     * A file being restored: its blobs arrive in any order from several threads and are written at their
     * offsets into a temporary file, renamed into place after the last one only if all authenticated.
     */
    private final class PendingFile {
        private final Node node;
        private final Path dest;
        private final Path temp;
        private final List<String> errors;
        private final AtomicLong files;
        private final AtomicLong bytes;
        private final AtomicInteger pending = new AtomicInteger();
        private volatile String error;

        PendingFile(Node node, Path dest, List<String> errors, AtomicLong files, AtomicLong bytes) {
            this.node = node;
            this.dest = dest;
            this.temp = dest.resolveSibling(".lifeboat-" + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + TEMP_SUFFIX);
            this.errors = errors;
            this.files = files;
            this.bytes = bytes;
        }

        /** Registers the file's blobs at their offsets, or fails the file now when the index lacks one. */
        void plan(Batch batch) {
            List<Chunk> chunks = new ArrayList<>(node.content().size());
            long offset = 0;
            for (BlobId id : node.content()) {
                BlobIndex.Location loc = repo.index().lookup(id);
                if (loc == null) {
                    errors.add(notRestored("blob '" + id.shortHex() + "' is not in the index (data is missing)"));
                    return;
                }
                chunks.add(new Chunk(this, offset));
                offset += loc.entry().rawLength();
            }
            if (offset != node.size()) {
                errors.add(notRestored("its blobs hold " + offset + " bytes, the snapshot records " + node.size()));
                return;
            }
            pending.set(chunks.size());
            for (int i = 0; i < chunks.size(); i++) {
                batch.add(node.content().get(i), chunks.get(i));
            }
            batch.bytes += node.size();
        }

        void write(long offset, byte[] data, int length) {
            if (error == null) {
                // owner-only until its metadata is applied, so a private key is never readable by others on the way;
                // a symbolic link put in its place is not followed
                try (FileChannel ch = FileChannel.open(temp, TEMP_OPEN, TEMP_MODE)) {
                    for (int done = 0; done < length; ) {
                        // slices no larger than the JDK's cached direct buffer, so large blobs reuse it
                        ByteBuffer slice = ByteBuffer.wrap(data, done, Math.min(WRITE_SLICE, length - done));
                        while (slice.hasRemaining()) {
                            ch.write(slice, offset + slice.position());
                        }
                        done = slice.position();
                    }
                    progress.advance(length);
                } catch (IOException e) {
                    failOnce(e.getMessage());
                }
            }
            chunkDone();
        }

        void fail(String message) {
            failOnce(message);
            chunkDone();
        }

        private synchronized void failOnce(String message) {
            if (error == null) {
                error = message;
            }
        }

        private void chunkDone() {
            if (pending.decrementAndGet() == 0) {
                finish();
            }
        }

        /** Renames the complete file into place with its metadata, or removes it and names the failure. */
        void finish() {
            if (error == null) {
                try {
                    if (node.content().isEmpty()) {
                        Files.newByteChannel(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
                    }
                    applyMetadata(node, temp);
                    Files.move(temp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    files.incrementAndGet();
                    bytes.addAndGet(node.size());
                    return;
                } catch (IOException e) {
                    error = e.getMessage();
                }
            }
            errors.add(notRestored(error));
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort: the partial file carries a suffix that says what it is
            }
        }

        private String notRestored(String why) {
            return "file '" + node.path() + "' not restored: " + why;
        }
    }

    private static boolean included(Node n, Globs includes, List<String> matchedDirs) {
        if (includes.isEmpty()) {
            return true;
        }
        while (!matchedDirs.isEmpty() && !n.path().startsWith(matchedDirs.get(matchedDirs.size() - 1) + "/")) {
            matchedDirs.remove(matchedDirs.size() - 1);
        }
        if (!matchedDirs.isEmpty()) {
            return true;
        }
        boolean isDir = n.type() == NodeType.DIR;
        if (includes.matches("/" + n.path(), n.path(), n.name(), isDir)) {
            if (isDir) {
                matchedDirs.add(n.path());
            }
            return true;
        }
        return false;
    }

    private static void checkTarget(Path target, boolean overwrite) {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw LifeboatException.usage("target '" + target + "' exists and is not a directory",
                    "give a directory to restore into");
        }
        if (!overwrite && Files.isDirectory(target)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
                if (ds.iterator().hasNext()) {
                    throw new LifeboatException(ErrorCode.ALREADY_EXISTS, "target '" + target + "' is not empty",
                            "restore into an empty directory, or pass --overwrite to replace files there");
                }
            } catch (IOException e) {
                throw new LifeboatException(ErrorCode.FAILURE, "cannot read target '" + target + "': " + e.getMessage(),
                        "check its permissions");
            }
        }
    }

    /** Creates a directory and its parents; {@code made} remembers those created, sparing a check per file. */
    private static void mkdirs(Path dir, Set<Path> made) {
        if (made.contains(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir);
            made.add(dir);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot create directory '" + dir + "': " + e.getMessage(),
                    "check the target's permissions and free space");
        }
    }

    private void restoreSymlink(Node n, Path dest, List<String> errors) {
        try {
            Files.deleteIfExists(dest);
            Files.createSymbolicLink(dest, Path.of(n.target()));
            if (root && n.uid() != null) {
                Files.setAttribute(dest, "unix:uid", n.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dest, "unix:gid", n.gid(), LinkOption.NOFOLLOW_LINKS);
            }
            FileTime mtime = FileTime.from(n.mtime(), TimeUnit.NANOSECONDS);
            Files.getFileAttributeView(dest, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(mtime, null, null);
        } catch (IOException | UnsupportedOperationException e) {
            errors.add("symlink '" + n.path() + "' not restored: " + e.getMessage());
        }
    }

    private void applyMetadata(Node n, Path p) throws IOException {
        if (root && n.uid() != null) {
            Files.setAttribute(p, "unix:uid", n.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", n.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        Files.setPosixFilePermissions(p, permissions(n.mode()));
        if ((n.mode() & 07000) != 0) {
            setSpecialBits(p, n.mode());
        }
        // both times, without following links: one utimensat(2), where setLastModifiedTime opens the file, reads
        // its access time and closes it again
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(n.mtime(), TimeUnit.NANOSECONDS), FileTime.from(Instant.now()), null);
    }

    /** Java cannot set setuid, setgid and sticky bits; chmod(1) can. */
    private static void setSpecialBits(Path p, int mode) throws IOException {
        try {
            Process proc = new ProcessBuilder("chmod", Integer.toOctalString(mode), p.toString())
                    .redirectErrorStream(true).start();
            if (proc.waitFor() != 0) {
                throw new IOException("chmod " + Integer.toOctalString(mode) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(order[i]);
            }
        }
        return out;
    }
}
