package dev.lifeboat.engine.store;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Futures;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.chunker.Chunker;
import dev.lifeboat.repo.chunker.ChunkerParams;
import dev.lifeboat.repo.pack.BlobType;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Turns streams into stored blobs: the calling thread reads and chunks, a pool of workers hashes,
 * compresses, encrypts and packs the chunks in parallel, and the ids come back in stream order. At most
 * {@value #BYTES_IN_FLIGHT} bytes of chunks wait for workers, so memory does not grow with the stream.
 * Thread-safe: several streams may be saved at once.
 */
public final class ChunkPipeline implements AutoCloseable {
    static final int BYTES_IN_FLIGHT = 16 * 1024 * 1024;
    private static final int SMALL_STREAM = 2 * 1024 * 1024;
    private final RepoWriter writer;
    private final Progress progress;
    private final ExecutorService workers;
    private final Semaphore inFlight = new Semaphore(BYTES_IN_FLIGHT);
    private final ThreadLocal<Chunker> chunkers;

    public ChunkPipeline(RepoWriter writer, ChunkerParams params, Progress progress, int threads) {
        this.writer = writer;
        this.progress = progress;
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "lifeboat-blob");
            t.setDaemon(true);
            return t;
        });
        this.chunkers = ThreadLocal.withInitial(() -> new Chunker(params, InputStream.nullInputStream()));
    }

    /** What a stream became: its blob ids in order, its length, and its digest if one was asked for. */
    public record Saved(List<BlobId> ids, long length, byte[] digest) {
    }

    /**
     * Saves a stream.
     *
     * @param sizeHint the expected length (-1 when unknown): short streams are read whole
     * @param digest   updated with every byte when not null (for example SHA-256 of a dump)
     */
    public Saved save(InputStream in, long sizeHint, MessageDigest digest) throws IOException {
        List<Future<BlobId>> parts = new ArrayList<>();
        long total = 0;
        if (sizeHint >= 0 && sizeHint <= SMALL_STREAM) {
            byte[] all = in.readAllBytes();
            if (digest != null) {
                digest.update(all);
            }
            Chunker cutter = chunkers.get();
            int off = 0;
            while (off < all.length) {
                int len = cutter.cut(all, off, all.length - off);
                parts.add(submit(off == 0 && len == all.length ? all : Arrays.copyOfRange(all, off, off + len)));
                off += len;
            }
            total = all.length;
        } else {
            Chunker chunker = chunkers.get().reset(in);
            byte[] chunk;
            while ((chunk = chunker.next()) != null) {
                if (digest != null) {
                    digest.update(chunk);
                }
                total += chunk.length;
                parts.add(submit(chunk));
            }
        }
        List<BlobId> ids = new ArrayList<>(parts.size());
        for (Future<BlobId> f : parts) {
            ids.add(Futures.get(f));
        }
        return new Saved(ids, total, digest == null ? null : digest.digest());
    }

    private Future<BlobId> submit(byte[] chunk) {
        int size = Math.min(chunk.length, BYTES_IN_FLIGHT);
        inFlight.acquireUninterruptibly(size);
        return workers.submit(() -> {
            try {
                return writer.save(BlobType.DATA, chunk);
            } finally {
                inFlight.release(size);
                progress.advance(chunk.length);
            }
        });
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
