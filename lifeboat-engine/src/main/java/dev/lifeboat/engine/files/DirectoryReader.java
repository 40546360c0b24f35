package dev.lifeboat.engine.files;

import dev.lifeboat.repo.Futures;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.PathOrder;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lists the directories of a backup's walk, with the metadata of their entries, ahead of the walk on a few
 * threads. On a cold disk each listing and each stat waits for the disk; one at a time, those waits were
 * most of a no-change backup. The walk announces the subdirectories of each directory it enters
 * ({@link #ahead}), and the threads read announced directories nearest first: the walk goes in
 * {@link PathOrder}, so the one it needs next is the smallest announced path. A directory the walk needs
 * before a thread took it up is read by the walk itself. At most {@link #MAX_DIRS} directories, and about
 * {@link #MAX_ENTRIES} entries, wait read ahead and not yet taken. Not thread-safe: one walk uses it.
 */
final class DirectoryReader implements AutoCloseable {
    static final int THREADS = 4;
    static final int MAX_DIRS = 64;
    static final int MAX_ENTRIES = 65_536;

    /** A directory entry with its metadata, or without (null) and with the warning to give instead. */
    record Child(Path path, Node node, String warning) {
    }

    /** A directory's entries sorted by name, or null and why it could not be listed. */
    record Listing(List<Child> children, String warning) {
    }

    /** A directory entry with its name, which sorting would otherwise build again for every comparison. */
    private record Entry(String name, Path path) {
    }

    private final class Task extends FutureTask<Listing> implements Comparable<Task> {
        private final String nodePath;

        Task(Path dir, String nodePath) {
            super(() -> {
                Listing listing = read(dir);
                aheadEntries.addAndGet(size(listing));
                return listing;
            });
            this.nodePath = nodePath;
        }

        @Override
        public int compareTo(Task other) {
            return PathOrder.INSTANCE.compare(nodePath, other.nodePath);
        }
    }

    private final ThreadPoolExecutor pool;
    private final Map<Path, Task> ahead = new HashMap<>();
    private final AtomicInteger aheadEntries = new AtomicInteger();

    DirectoryReader() {
        pool = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS, new PriorityBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "lifeboat-list");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts reading a directory the walk will enter, unless enough are read ahead already. */
    void ahead(Path dir, String nodePath) {
        if (ahead.size() >= MAX_DIRS || aheadEntries.get() >= MAX_ENTRIES || ahead.containsKey(dir)) {
            return;
        }
        Task task = new Task(dir, nodePath);
        ahead.put(dir, task);
        pool.execute(task);
    }

    /** A directory's listing: the one read ahead, or read now. */
    Listing take(Path dir) {
        Task task = ahead.remove(dir);
        if (task == null) {
            return read(dir);
        }
        // runs it here unless a thread has taken it up; then waits for that thread
        task.run();
        Listing listing = Futures.get(task);
        aheadEntries.addAndGet(-size(listing));
        return listing;
    }

    private static int size(Listing listing) {
        return listing.children() == null ? 0 : listing.children().size();
    }

    static Listing read(Path dir) {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                entries.add(new Entry(p.getFileName().toString(), p));
            }
        } catch (IOException e) {
            return new Listing(null, "cannot list '" + dir + "': " + reason(e));
        } catch (DirectoryIteratorException e) {
            return new Listing(null, "cannot list '" + dir + "': " + reason(e.getCause()));
        }
        entries.sort(Comparator.comparing(Entry::name));
        List<Child> children = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            children.add(stat(e.path(), nodePath(e.path())));
        }
        return new Listing(children, null);
    }

    /** One path's metadata, without following a symlink. */
    static Child stat(Path path, String nodePath) {
        try {
            Node n = FileMeta.read(path, nodePath);
            return n != null ? new Child(path, n, null)
                    : new Child(path, null, "skipped '" + path + "': not a regular file, directory or symlink");
        } catch (IOException e) {
            return new Child(path, null, "cannot read '" + path + "': " + reason(e));
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "vanished during the backup";
        }
        return e.getMessage();
    }

    /** The node path of an absolute path: without its leading slash. */
    static String nodePath(Path absolute) {
        String s = absolute.toString();
        return s.startsWith("/") ? s.substring(1) : s;
    }

    @Override
    public void close() {
        Futures.stopNow(pool);
    }
}
