package dev.lifeboat.engine.store;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Futures;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.chunker.Chunker;
import dev.lifeboat.repo.chunker.ChunkerParams;
import dev.lifeboat.repo.pack.BlobType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns streams into stored blobs: the calling thread reads and chunks, a pool of workers hashes,
 * compresses, encrypts and packs the chunks in parallel, and the ids come back in stream order. A stream's
 * digest and tap, when asked for, see its chunks in order on one more thread.
 * Chunks travel in at most {@value #BUFFERS} reusable buffers of the maximum chunk size, so memory does not
 * grow with the stream, and a long backup allocates almost nothing (the heap stays small).
 * Thread-safe: several streams may be saved at once.
 */
public final class ChunkPipeline implements AutoCloseable {
    /**
     * Enough for the workers (one per core) and the readers filling the next chunks: they live in the old
     * generation for a whole backup, and six instead of four raised a resident process's peak RSS by 5-8 MiB
     * in an initial backup of 1 GiB, for the same time (two runs each).
     */
    static final int BUFFERS = 4;
    private final RepoWriter writer;
    private final Progress progress;
    private final ExecutorService workers;
    private final int bufferSize;
    private final BlockingQueue<byte[]> free = new LinkedBlockingQueue<>();
    private final Semaphore buffers = new Semaphore(BUFFERS);
    private final ThreadLocal<Chunker> chunkers;
    private final int smallLimit;
    private final ThreadLocal<byte[]> smallBuffers;
    private volatile boolean closed;

    public ChunkPipeline(RepoWriter writer, ChunkerParams params, Progress progress, int threads) {
        this.writer = writer;
        this.progress = progress;
        this.bufferSize = params.maxSize();
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "lifeboat-blob");
            t.setDaemon(true);
            return t;
        });
        this.chunkers = ThreadLocal.withInitial(() -> new Chunker(params, InputStream.nullInputStream()));
        this.smallLimit = params.minSize();
        this.smallBuffers = ThreadLocal.withInitial(() -> new byte[smallLimit + 1]);
    }

    /**
     * The length up to which a stream is one chunk whatever its content (the chunker's minimum size): such a
     * stream is best saved with {@link #saveSmall}.
     */
    public int smallLimit() {
        return smallLimit;
    }

    /**
     * Saves a stream expected to be at most {@link #smallLimit()} long, with the same blobs as {@link #save}.
     * It is read into an array of the calling thread's own instead of a shared buffer, so many threads can read
     * small files at once and their reads overlap (reading a tree of small files from a cold disk waits on
     * every file in turn otherwise). A stream that turns out longer goes on through the chunker.
     */
    public Saved saveSmall(InputStream in) throws IOException {
        byte[] data = smallBuffers.get();
        int n = in.readNBytes(data, 0, data.length);
        if (n > smallLimit) {
            return save(new SequenceInputStream(new ByteArrayInputStream(data, 0, n), in), null);
        }
        if (n == 0) {
            return new Saved(List.of(), 0, null);
        }
        if (closed) {
            throw new IllegalStateException("the chunk pipeline is closed");
        }
        // the array is this thread's again once the worker is done, which Futures.get waits for
        Future<BlobId> id = submit(data, n, () -> { });
        try {
            return new Saved(List.of(Futures.get(id)), n, null);
        } catch (RuntimeException | Error e) {
            smallBuffers.remove(); // the worker may still be reading it (this thread was interrupted)
            throw e;
        }
    }

    /** What a stream became: its blob ids in order, its length, and its digest if one was asked for. */
    public record Saved(List<BlobId> ids, long length, byte[] digest) {
    }

    /**
     * Receives every byte of a stream being saved, in order, on one thread other than the reading thread (it may
     * not keep the array).
     */
    public interface Tap {
        void accept(byte[] bytes, int offset, int length);
    }

    /**
     * Saves a stream.
     *
     * @param digest updated with every byte when not null (for example SHA-256 of a dump)
     */
    public Saved save(InputStream in, MessageDigest digest) throws IOException {
        return save(in, digest, null);
    }

    /** Saves a stream, giving every byte to {@code tap} as well when it is not null. */
    public Saved save(InputStream in, MessageDigest digest, Tap tap) throws IOException {
        Chunker chunker = chunkers.get().reset(in);
        return save(chunker::nextInto, digest, tap);
    }

    /**
     * Saves a stream cut at fixed offsets, every {@code pieceSize} bytes, instead of at content-defined
     * boundaries: for files whose content changes in place and never shifts, such as PostgreSQL's data files
     * of 8 KiB pages, where it finds the same unchanged pieces without the chunker's rolling hash.
     */
    public Saved saveFixed(InputStream in, int pieceSize) throws IOException {
        if (pieceSize <= 0 || pieceSize > bufferSize) {
            throw new IllegalArgumentException("piece size " + pieceSize + " is not between 1 and " + bufferSize);
        }
        return save(buffer -> {
            int n = in.readNBytes(buffer, 0, pieceSize);
            return n == 0 ? -1 : n;
        }, null, null);
    }

    /** Fills a buffer with the next piece of a stream: its length, or -1 at the end. */
    private interface Cutter {
        int nextInto(byte[] buffer) throws IOException;
    }

    private Saved save(Cutter cutter, MessageDigest digest, Tap tap) throws IOException {
        List<Future<BlobId>> parts = new ArrayList<>();
        // the digest and the tap see the chunks in order on a thread of their own, so the reading thread only
        // reads and cuts (a dump's SHA-256 and row count took a third of its time)
        ExecutorService inOrder = digest == null && tap == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lifeboat-digest");
            t.setDaemon(true);
            return t;
        });
        AtomicReference<Throwable> inOrderFailure = new AtomicReference<>();
        long total = 0;
        try {
            // a failed digest or tap stops the stream at the next chunk
            while (inOrderFailure.get() == null) {
                byte[] buffer = takeBuffer();
                int length;
                try {
                    length = cutter.nextInto(buffer);
                } catch (IOException | RuntimeException e) {
                    giveBack(buffer);
                    throw e;
                }
                if (length < 0) {
                    giveBack(buffer);
                    break;
                }
                total += length;
                if (inOrder == null) {
                    parts.add(submit(buffer, length, () -> giveBack(buffer)));
                    continue;
                }
                // the buffer goes back once both the worker and the in-order thread are done with it
                AtomicInteger users = new AtomicInteger(2);
                Runnable release = () -> {
                    if (users.decrementAndGet() == 0) {
                        giveBack(buffer);
                    }
                };
                try {
                    submit(inOrder, () -> feed(digest, tap, buffer, length, inOrderFailure), release);
                } catch (RuntimeException | Error e) {
                    release.run(); // the worker's share: it never gets the chunk
                    throw e;
                }
                parts.add(submit(buffer, length, release));
            }
        } finally {
            if (inOrder != null) {
                // every queued task runs, also when the stream failed or this thread is interrupted: each gives
                // its buffer back, and the caller may close what the tap feeds once this returns
                awaitAll(inOrder);
            }
        }
        Futures.rethrow(inOrderFailure.get());
        List<BlobId> ids = new ArrayList<>(parts.size());
        for (Future<BlobId> f : parts) {
            ids.add(Futures.get(f));
        }
        return new Saved(ids, total, digest == null ? null : digest.digest());
    }

    /** Shuts the executor down and waits until its queued tasks have run, whatever interrupts this thread. */
    private static void awaitAll(ExecutorService executor) {
        executor.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (executor.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Gives a chunk to the digest and the tap, unless one of them failed before: then it records the failure. */
    private static Void feed(MessageDigest digest, Tap tap, byte[] buffer, int length,
                             AtomicReference<Throwable> failure) {
        if (failure.get() != null) {
            return null;
        }
        try {
            if (digest != null) {
                digest.update(buffer, 0, length);
            }
            if (tap != null) {
                tap.accept(buffer, 0, length);
            }
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        }
        return null;
    }

    /** Buffers not in use by a stream (for tests). */
    int freeBuffers() {
        return buffers.availablePermits();
    }

    private byte[] takeBuffer() {
        buffers.acquireUninterruptibly();
        if (closed) {
            buffers.release();
            throw new IllegalStateException("the chunk pipeline is closed");
        }
        byte[] buffer = free.poll();
        return buffer != null ? buffer : new byte[bufferSize];
    }

    private void giveBack(byte[] buffer) {
        free.add(buffer);
        buffers.release();
    }

    private Future<BlobId> submit(byte[] buffer, int length, Runnable release) {
        return submit(workers, () -> {
            BlobId id = writer.save(BlobType.DATA, buffer, length);
            progress.advance(length);
            return id;
        }, release);
    }

    /** Runs the task, then releases its buffer; releases it at once when the task cannot be queued. */
    private static <T> Future<T> submit(ExecutorService executor, Callable<T> task, Runnable release) {
        try {
            return executor.submit(() -> {
                try {
                    return task.call();
                } finally {
                    release.run();
                }
            });
        } catch (RuntimeException | Error e) {
            release.run();
            throw e;
        }
    }

    /**
     * Stops the workers and wakes every stream still waiting for a buffer or a chunk, which then fails:
     * queued chunks are dropped (cancelled, since a stream waiting for a task that never runs would wait
     * forever), so their buffers would otherwise never come back either.
     */
    @Override
    public void close() {
        closed = true;
        Futures.stopNow(workers);
        buffers.release(Integer.MAX_VALUE / 2);
    }
}
