package dev.lifeboat.engine.physical;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.cluster.LocalCluster;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.wal.WalStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes the WAL a recovery needs into a staging folder while the recovering server already runs: the
 * folder first lists every file that will come ({@value #EXPECTED}), each file appears whole (written under
 * a temporary name, then renamed), two at a time in the order recovery reads them, and
 * {@link #restoreCommand()} makes the server wait for a listed file that is not there yet instead of taking
 * its absence for the end of the WAL. So the server starts, syncs and replays while the rest is decoded,
 * instead of after. Staging stays at most {@value #AHEAD} files ahead of the newest one the server asked
 * for (the command leaves a {@value #WANTED} marker), so a target long before the end of the WAL does not
 * wait for, or fill the disk with, WAL it never reads.
 *
 * <p>If staging fails or this process dies, the command exits with status 200, which PostgreSQL treats
 * as a fatal error of the command (above 125): recovery stops with an error instead of ending early at a
 * point before the target.
 */
final class WalStaging implements AutoCloseable {
    private static final String EXPECTED = ".expected";
    private static final String FAILED = ".failed";
    private static final String WANTED = ".wanted";
    static final int AHEAD = 8;
    private static final long PAUSE_MILLIS = 20;
    private static final int THREADS = 2;
    private final Path dir;
    private final WalStore store;
    private final String sysid;
    private final long segmentSize;
    private final Progress progress;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final List<Map.Entry<String, String>> files;
    private final Map<String, Integer> positions = new HashMap<>();
    private int next;
    /** The position of the newest file the server asked for, -1 before the first. */
    private int wanted = -1;
    private volatile boolean cancelled;
    private volatile boolean paced = true;
    private boolean finished;

    /**
     * Creates the staging folder with the list of files to come.
     *
     * @param files file name to stage, in the order recovery reads them, to the stored object's name
     */
    WalStaging(Path dir, WalStore store, String sysid, long segmentSize, Map<String, String> files, Progress progress)
            throws IOException {
        this.dir = dir;
        this.store = store;
        this.sysid = sysid;
        this.segmentSize = segmentSize;
        this.progress = progress;
        this.files = List.copyOf(files.entrySet());
        for (int i = 0; i < this.files.size(); i++) {
            positions.put(this.files.get(i).getKey(), i);
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(EXPECTED), String.join("\n", files.keySet()) + "\n", StandardCharsets.US_ASCII);
        LocalCluster.giveToPostgres(dir);
        progress.start("stage WAL", files.size(), Progress.Unit.ITEMS);
    }

    /**
     * The restore_command: mark a listed file as wanted and copy it once it is staged; fail at once for a
     * file that is not listed (a newer timeline's history file, the segment after the end); exit 200 if the
     * mark cannot be left, staging failed or the staging process is gone.
     */
    String restoreCommand() {
        String f = dir + "/%f";
        return "if grep -qxF \"%f\" \"" + dir.resolve(EXPECTED) + "\"; then touch \"" + f + WANTED + "\" || exit 200; "
                + "while [ ! -e \"" + f + "\" ]; do if [ -e \"" + dir.resolve(FAILED) + "\" ] || [ ! -d /proc/"
                + ProcessHandle.current().pid() + " ]; then exit 200; fi; sleep 0.02; done; fi; exec cp \"" + f
                + "\" \"%p\"";
    }

    /** Starts staging in the background. */
    WalStaging start() {
        for (int i = 0; i < THREADS; i++) {
            threads.add(Thread.ofPlatform().daemon().name("lifeboat-stage-wal").start(this::stageAll));
        }
        return this;
    }

    private void stageAll() {
        try {
            while (!cancelled && failure.get() == null) {
                int position;
                synchronized (this) {
                    if (next == files.size()) {
                        return;
                    }
                    position = next++;
                }
                if (!awaitTurn(position)) {
                    return;
                }
                stage(files.get(position).getKey(), files.get(position).getValue());
                progress.advance(1);
            }
        } catch (IOException | RuntimeException e) {
            RuntimeException error = e instanceof RuntimeException r ? r : new LifeboatException(ErrorCode.FAILURE,
                    "cannot stage WAL in '" + dir + "': " + e.getMessage(), "check free space beside the target directory");
            if (failure.compareAndSet(null, error)) {
                markFailed();
            }
        }
    }

    /** Waits until the file at this position is at most {@value #AHEAD} ahead of the newest wanted one. */
    private boolean awaitTurn(int position) throws IOException {
        while (paced && !withinReach(position) && position > wanted() + AHEAD) {
            if (cancelled || failure.get() != null) {
                return false;
            }
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Whether the newest wanted position seen so far already lets this one go, without listing the marks. */
    private synchronized boolean withinReach(int position) {
        return position <= wanted + AHEAD;
    }

    /** Reads the server's marks: the position of the newest file it asked for. */
    private synchronized int wanted() throws IOException {
        try (DirectoryStream<Path> marks = Files.newDirectoryStream(dir, "*" + WANTED)) {
            for (Path m : marks) {
                String name = m.getFileName().toString();
                Integer p = positions.get(name.substring(0, name.length() - WANTED.length()));
                if (p != null && p > wanted) {
                    wanted = p;
                }
            }
        }
        return wanted;
    }

    private void stage(String name, String stored) throws IOException {
        byte[] content = store.get(sysid, stored);
        if (WalStore.isPartial(stored)) {
            // a partial segment is a prefix of the segment: pad with zeros like pg_receivewal does
            content = Arrays.copyOf(content, Math.toIntExact(segmentSize));
        }
        Path temp = dir.resolve(name + ".tmp");
        Files.write(temp, content);
        LocalCluster.chownToPostgres(temp);
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private void markFailed() {
        try {
            Files.writeString(dir.resolve(FAILED), "", StandardCharsets.US_ASCII);
        } catch (IOException ignored) {
            // the staging process's exit then ends the wait of the restore command
        }
    }

    /** The error that stopped staging, or null. */
    RuntimeException failure() {
        return failure.get();
    }

    /**
     * Stages every file, however far ahead of the server, and waits until they are staged (or staging
     * failed), and throws the failure: for a server left running, which may ask for any of them later.
     */
    void finish() {
        paced = false;
        join();
        if (failure.get() != null) {
            throw failure.get();
        }
        endProgress();
    }

    private void endProgress() {
        if (!finished) {
            finished = true;
            progress.finish();
        }
    }

    private void join() {
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted while staging WAL");
            }
        }
    }

    /** Stops staging after the files in progress: the server needs no more (it was promoted or stopped). */
    @Override
    public void close() {
        cancelled = true;
        join();
        endProgress();
    }
}
