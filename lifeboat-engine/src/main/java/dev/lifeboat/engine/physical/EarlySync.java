package dev.lifeboat.engine.physical;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Flushes the files of a data directory being restored to disk while the restore still writes others.
 * A server started on a restored data directory first syncs every file in it (it treats the directory as
 * crashed); the kernel starts writing a large restore back only when it must, so without this the server's
 * start waits for all of it, after the restore's CPU-bound decoding instead of during it.
 *
 * <p>Only an optimisation: the server's own sync still makes everything durable, this only leaves it
 * less to write. A file is synced again when its size or modification time changed since (it was still
 * being written); one that vanished meanwhile (a temporary file renamed into place) is skipped.
 */
final class EarlySync implements AutoCloseable {
    private static final long PAUSE_MILLIS = 100;
    private final List<Path> roots;
    private final Map<Path, String> synced = new HashMap<>();
    private final Thread thread;
    private volatile boolean stopped;

    EarlySync(Collection<Path> roots) {
        this.roots = List.copyOf(roots);
        this.thread = Thread.ofPlatform().daemon().name("lifeboat-sync").start(this::run);
    }

    private void run() {
        while (!stopped) {
            for (Path root : roots) {
                pass(root);
            }
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void pass(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (stopped) {
                        return FileVisitResult.TERMINATE;
                    }
                    if (attrs.isRegularFile()) {
                        String state = attrs.size() + "@" + stamp(attrs.lastModifiedTime());
                        if (!state.equals(synced.get(file)) && sync(file)) {
                            synced.put(file, state);
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // the root does not exist yet: the next pass looks again
        }
    }

    private static String stamp(FileTime t) {
        return Long.toString(t.to(TimeUnit.NANOSECONDS));
    }

    private static boolean sync(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(false);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops after the file being synced; what is left, the server syncs when it starts. */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
