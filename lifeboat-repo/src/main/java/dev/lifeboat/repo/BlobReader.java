package dev.lifeboat.repo;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.ObjectNotFoundException;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.pack.BlobCodec;
import dev.lifeboat.repo.pack.PackEntry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads many blobs with few backend reads, for restores and other bulk readers: the blobs of each
 * {@link #read} call are grouped by pack, each run of them lying close together in a pack is fetched with
 * one ranged read, in pack order, and worker threads fetch, authenticate and decompress several reads at
 * once while the caller plans the next ones. Memory is bounded: each worker reuses one buffer for a read of
 * at most the backend's {@linkplain Backend#preferredReadSize preferred size} (or one larger blob) and one
 * for a decoded blob, and a caller that runs ahead waits once {@link #QUEUED} reads are waiting.
 */
public final class BlobReader implements AutoCloseable {
    /** Blobs this close in a pack are fetched by one read, the bytes between them read and dropped. */
    static final int MAX_GAP = 1 << 20;
    /** Reads planned but not yet taken by a worker. */
    static final int QUEUED = 8;

    /** Receives blobs as workers decode them: from several threads at once, in no particular order. */
    public interface Sink {
        /** An authenticated blob: its plaintext is {@code data[0, length)}, valid only during this call. */
        void blob(BlobId id, byte[] data, int length);

        /** A blob that cannot be read: missing from the index or storage, or damaged. */
        void failed(BlobId id, LifeboatException error);
    }

    /** One ranged read: entries of one pack lying in {@code [start, end)}, and who gets them. */
    private record Read(BlobId pack, long start, long end, List<PackEntry> entries, Sink sink) {
    }

    private static final Read STOP = new Read(null, 0, 0, List.of(), null);

    private final Repository repo;
    private final int workers;
    /** Reads are cut at this size (the backend's preferred one); a blob longer than it is read alone. */
    private final int maxRead;
    private final BlockingQueue<Read> queue = new ArrayBlockingQueue<>(QUEUED);
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** A reader with {@code workers} threads, each with one read in flight. */
    public BlobReader(Repository repo, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        this.repo = repo;
        this.workers = workers;
        this.maxRead = repo.backend().preferredReadSize();
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, "lifeboat-read-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    /**
     * A reader with a worker per processor (two at least): decoding and writing keep them busy, and more
     * workers only added memory and garbage in measurements (a restore of 1 GiB on 2 cores).
     */
    public BlobReader(Repository repo) {
        this(repo, Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Queues every blob for reading, once each (a blob named twice is read and given once), and returns; the
     * workers give each blob to the sink, or report it failed there. Blobs the index lacks are reported at
     * once, from this thread. Waits while {@link #QUEUED} reads are waiting for a worker.
     *
     * @throws RuntimeException what a sink threw while handling an earlier blob
     */
    public void read(Collection<BlobId> ids, Sink sink) {
        for (Read r : plan(ids, sink)) {
            rethrowFailure();
            try {
                queue.put(r);
            } catch (InterruptedException e) {
                throw interrupted();
            }
        }
    }

    /**
     * Waits until every blob queued was given to its sink and stops the workers.
     *
     * @throws RuntimeException the first exception a sink threw
     */
    @Override
    public void close() {
        try {
            for (int i = 0; i < threads.size(); i++) {
                queue.put(STOP);
            }
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            // the workers may be waiting for reads that will never come: they stop when interrupted
            for (Thread t : threads) {
                t.interrupt();
            }
            throw interrupted();
        }
        rethrowFailure();
    }

    private static LifeboatException interrupted() {
        Thread.currentThread().interrupt();
        return new LifeboatException(ErrorCode.INTERRUPTED, "interrupted");
    }

    private void rethrowFailure() {
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
    }

    private void work() {
        Buffers buffers = new Buffers();
        while (true) {
            Read r;
            try {
                r = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (r == STOP) {
                return;
            }
            if (failure.get() != null) {
                skip(r);
                continue;
            }
            try {
                fetch(r, buffers);
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    /** A blob's entry and the number of its pack. */
    private record Located(int pack, PackEntry entry) {
    }

    /** Reports the blobs of a read as not read, once a sink's exception stopped the reading. */
    private static void skip(Read r) {
        LifeboatException stopped = new LifeboatException(ErrorCode.FAILURE, "reading stopped after an earlier error");
        for (PackEntry e : r.entries()) {
            try {
                r.sink().failed(e.id(), stopped);
            } catch (RuntimeException ignored) {
                // the first exception is the one rethrown
            }
        }
    }

    /** Looks every blob up, reports those the index lacks, and cuts the others into reads in pack order. */
    private List<Read> plan(Collection<BlobId> ids, Sink sink) {
        BlobIndex index = repo.index();
        List<Located> located = new ArrayList<>(ids.size());
        for (BlobId id : ids) {
            int entry = index.entryNumber(id);
            if (entry < 0) {
                sink.failed(id, LifeboatException.integrity("blob '" + id.shortHex()
                        + "' is not in the index (data is missing)"));
            } else {
                located.add(new Located(index.packNumberOf(entry), index.entryAt(entry)));
            }
        }
        located.sort(Comparator.comparingInt(Located::pack).thenComparingInt(l -> l.entry().offset()));
        List<Read> reads = new ArrayList<>();
        List<PackEntry> run = new ArrayList<>();
        int runPack = -1;
        long runStart = 0;
        long runEnd = 0;
        for (Located l : located) {
            PackEntry e = l.entry();
            long end = (long) e.offset() + e.length();
            if (!run.isEmpty() && l.pack() == runPack && e.offset() == run.getLast().offset()) {
                continue;
            }
            if (!run.isEmpty() && (l.pack() != runPack || e.offset() - runEnd > MAX_GAP || end - runStart > maxRead)) {
                reads.add(new Read(index.pack(runPack), runStart, runEnd, run, sink));
                run = new ArrayList<>();
            }
            if (run.isEmpty()) {
                runPack = l.pack();
                runStart = e.offset();
                runEnd = end;
            }
            run.add(e);
            runEnd = Math.max(runEnd, end);
        }
        if (!run.isEmpty()) {
            reads.add(new Read(index.pack(runPack), runStart, runEnd, run, sink));
        }
        return reads;
    }

    /** What one worker reuses from read to read: the stored bytes of a read and the decoded blob. */
    private final class Buffers {
        private final BlobCodec.Scratch scratch = BlobCodec.Scratch.reused();
        private byte[] read = new byte[0];

        byte[] read(int length) {
            if (read.length < length) {
                read = new byte[Math.max(length, maxRead)];
            }
            return read;
        }
    }

    private void fetch(Read read, Buffers buffers) {
        Sink sink = read.sink();
        int length = Math.toIntExact(read.end() - read.start());
        byte[] bytes = buffers.read(length);
        try {
            repo.backend().readRange(new ObjectName(ObjectKind.DATA, read.pack().hex()), read.start(), length, bytes);
        } catch (ObjectNotFoundException missing) {
            for (PackEntry e : read.entries()) {
                sink.failed(e.id(), Repository.missingPack(read.pack(), e.id()));
            }
            return;
        } catch (LifeboatException e) {
            if (e.code() == ErrorCode.INTERRUPTED) {
                throw e;
            }
            for (PackEntry entry : read.entries()) {
                sink.failed(entry.id(), e);
            }
            return;
        }
        for (PackEntry e : read.entries()) {
            byte[] plain;
            try {
                plain = repo.decodeBlob(read.pack(), e, bytes, (int) (e.offset() - read.start()), buffers.scratch);
            } catch (LifeboatException damaged) {
                sink.failed(e.id(), damaged);
                continue;
            }
            sink.blob(e.id(), plain, e.rawLength());
        }
    }

    /**
     * The plaintext of each blob in the order of the list, for a stream restored in order such as a dump:
     * while the caller consumes one blob, the workers read up to twice their number of the following ones.
     * The iterator throws the error of the first blob that cannot be read.
     */
    public Iterable<byte[]> inOrder(List<BlobId> ids) {
        return () -> new Iterator<>() {
            private final Deque<CompletableFuture<byte[]>> ahead = new ArrayDeque<>();
            private int queued;

            @Override
            public boolean hasNext() {
                return queued - ahead.size() < ids.size();
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                while (queued < ids.size() && ahead.size() < workers * 2) {
                    CompletableFuture<byte[]> f = new CompletableFuture<>();
                    read(List.of(ids.get(queued++)), new Sink() {
                        @Override
                        public void blob(BlobId id, byte[] data, int length) {
                            f.complete(Arrays.copyOf(data, length));
                        }

                        @Override
                        public void failed(BlobId id, LifeboatException error) {
                            f.completeExceptionally(error);
                        }
                    });
                    ahead.add(f);
                }
                return Futures.get(ahead.poll());
            }
        };
    }
}
