package dev.lifeboat.engine.files;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Futures;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.TreeReader;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores a file snapshot into a target directory, putting back content, mode, owner and group (when
 * running as root), mtime and symlinks. Each file is written under a temporary name and renamed into
 * place only after every blob authenticated, so damage in the repository never yields a wrong file.
 */
public final class FileRestore {
    private static final String TEMP_SUFFIX = ".lifeboat-partial";

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
        List<Node> selected = new ArrayList<>();
        long total = 0;
        List<String> matchedDirs = new ArrayList<>();
        for (Node n : TreeReader.nodes(repo, request.snapshot().snapshot())) {
            if (!included(n, includes, matchedDirs) || request.destination(target, n.path()) == null) {
                continue;
            }
            total += n.size();
            selected.add(n);
        }
        if (selected.isEmpty() && !includes.isEmpty()) {
            throw new LifeboatException(ErrorCode.NOT_FOUND, "no path in snapshot '"
                    + request.snapshot().id().shortHex() + "' matches " + request.includes(),
                    "run 'lifeboat ls " + request.snapshot().id().shortHex() + "' to see its paths");
        }
        progress.start("restore", total, Progress.Unit.BYTES);
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AtomicLong files = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long dirs = 0;
        long links = 0;
        List<Node> dirNodes = new ArrayList<>();
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot create target '" + target + "': " + e.getMessage(),
                    "choose a writable target directory");
        }
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors() * 2);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "lifeboat-restore");
            t.setDaemon(true);
            return t;
        })) {
            List<Future<?>> tasks = new ArrayList<>();
            for (Node n : selected) {
                Path dest = request.destination(target, n.path());
                switch (n.type()) {
                    case DIR -> {
                        mkdirs(dest);
                        dirNodes.add(n);
                        dirs++;
                    }
                    case SYMLINK -> {
                        mkdirs(dest.getParent());
                        restoreSymlink(n, dest, errors);
                        links++;
                    }
                    case FILE -> {
                        mkdirs(dest.getParent());
                        tasks.add(pool.submit(() -> {
                            if (restoreFile(n, dest, errors)) {
                                files.incrementAndGet();
                                bytes.addAndGet(n.size());
                            }
                        }));
                    }
                }
            }
            for (Future<?> t : tasks) {
                Futures.get(t);
            }
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

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot create directory '" + dir + "': " + e.getMessage(),
                    "check the target's permissions and free space");
        }
    }

    private boolean restoreFile(Node n, Path dest, List<String> errors) {
        Path temp = dest.resolveSibling(".lifeboat-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current()
                .nextLong()) + TEMP_SUFFIX);
        try {
            long written = 0;
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                for (BlobId id : n.content()) {
                    byte[] data = repo.loadBlob(id);
                    out.write(data);
                    written += data.length;
                    progress.advance(data.length);
                }
            }
            if (written != n.size()) {
                throw LifeboatException.integrity("restored " + written + " bytes, the snapshot records " + n.size());
            }
            applyMetadata(n, temp);
            Files.move(temp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (LifeboatException e) {
            errors.add("file '" + n.path() + "' not restored: " + e.getMessage());
        } catch (IOException e) {
            errors.add("file '" + n.path() + "' not restored: " + e.getMessage());
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // best effort: the partial file carries a suffix that says what it is
        }
        return false;
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
        Files.setLastModifiedTime(p, FileTime.from(n.mtime(), TimeUnit.NANOSECONDS));
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
