package dev.lifeboat.repo;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.index.IndexFile;
import dev.lifeboat.repo.pack.BlobCodec;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.pack.PackWriter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Saves blobs into new packs, deduplicating against the index and against blobs saved meanwhile.
 *
 * <p>Write order (the crash-safety contract of the format): a pack is stored before any index names
 * it, and {@link #flush()} returns only after every pack and the index objects naming them are stored,
 * so a snapshot saved after {@code flush()} never references missing data. An index object is written
 * every {@value #PACKS_PER_INDEX} packs so an interrupted backup's work is reused by the next one.
 * Thread-safe: many workers may call {@link #save} at once.
 */
public final class RepoWriter implements AutoCloseable {
    static final int PACKS_PER_INDEX = 64;
    private final Repository repo;
    private final BlobCodec codec;
    private final int packSize;
    private final ConcurrentHashMap<BlobId, Boolean> claimed = new ConcurrentHashMap<>();
    private final BlockingQueue<PackWriter> packers;
    private final ExecutorService uploader;
    private final Semaphore uploadSlots;
    private final List<Future<?>> uploads = new ArrayList<>();
    private final Map<BlobId, List<PackEntry>> unindexed = new LinkedHashMap<>();
    private final List<BlobId> writtenIndexes = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final AtomicLong newBlobs = new AtomicLong();
    private final AtomicLong newBytes = new AtomicLong();
    private final AtomicLong storedBytes = new AtomicLong();
    private final AtomicLong packsWritten = new AtomicLong();

    public RepoWriter(Repository repo, int parallelism) {
        this.repo = repo;
        this.codec = repo.codec();
        this.packSize = repo.config().packSize();
        this.packers = new ArrayBlockingQueue<>(parallelism);
        for (int i = 0; i < parallelism; i++) {
            packers.add(new PackWriter(packSize));
        }
        this.uploader = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "lifeboat-upload");
            t.setDaemon(true);
            return t;
        });
        this.uploadSlots = new Semaphore(parallelism + 2);
    }

    /** Statistics of what this writer added to the repository. */
    public record Stats(long newBlobs, long newBytes, long storedBytes, long packs) {
    }

    public Stats stats() {
        return new Stats(newBlobs.get(), newBytes.get(), storedBytes.get(), packsWritten.get());
    }

    /**
     * Saves a blob unless the repository already holds it.
     *
     * @return the blob's id
     */
    public BlobId save(BlobType type, byte[] plain) {
        rethrowFailure();
        BlobId id = codec.key().blobId(plain, 0, plain.length);
        if (repo.index().contains(id) || claimed.putIfAbsent(id, Boolean.TRUE) != null) {
            return id;
        }
        BlobCodec.Encoded encoded = codec.encode(plain);
        newBlobs.incrementAndGet();
        newBytes.addAndGet(plain.length);
        PackWriter packer = take();
        try {
            packer.add(id, type, encoded);
            if (packer.size() >= packSize) {
                upload(packer);
                packer = new PackWriter(packSize);
            }
        } finally {
            packers.add(packer);
        }
        return id;
    }

    private PackWriter take() {
        try {
            return packers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(dev.lifeboat.error.ErrorCode.INTERRUPTED, "interrupted");
        }
    }

    private void upload(PackWriter packer) {
        uploadSlots.acquireUninterruptibly();
        Future<?> f = uploader.submit(() -> {
            try {
                byte[] bytes = packer.finish(codec.key());
                BlobId packId = Repository.sha256(bytes, 0, bytes.length);
                repo.backend().put(new ObjectName(ObjectKind.DATA, packId.hex()), bytes);
                storedBytes.addAndGet(bytes.length);
                packsWritten.incrementAndGet();
                List<PackEntry> entries = packer.entries();
                repo.index().addPack(packId, entries);
                Map<BlobId, List<PackEntry>> toWrite = null;
                synchronized (unindexed) {
                    unindexed.put(packId, entries);
                    if (unindexed.size() >= PACKS_PER_INDEX) {
                        toWrite = new LinkedHashMap<>(unindexed);
                        unindexed.clear();
                    }
                }
                if (toWrite != null) {
                    writeIndex(toWrite);
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                throw e;
            } finally {
                uploadSlots.release();
            }
        });
        synchronized (uploads) {
            uploads.add(f);
        }
    }

    private void writeIndex(Map<BlobId, List<PackEntry>> packs) {
        BlobId id = repo.saveUnpacked(ObjectKind.INDEX, new IndexFile(List.of(), packs).encode());
        synchronized (writtenIndexes) {
            writtenIndexes.add(id);
        }
    }

    private void rethrowFailure() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /** Stores every partly filled pack and the index naming all packs written so far, then returns. */
    public void flush() {
        List<PackWriter> drained = new ArrayList<>();
        packers.drainTo(drained);
        for (PackWriter p : drained) {
            if (p.count() > 0) {
                upload(p);
                packers.add(new PackWriter(packSize));
            } else {
                packers.add(p);
            }
        }
        List<Future<?>> pending;
        synchronized (uploads) {
            pending = new ArrayList<>(uploads);
            uploads.clear();
        }
        for (Future<?> f : pending) {
            Futures.get(f);
        }
        rethrowFailure();
        Map<BlobId, List<PackEntry>> rest;
        synchronized (unindexed) {
            rest = new LinkedHashMap<>(unindexed);
            unindexed.clear();
        }
        if (!rest.isEmpty()) {
            writeIndex(rest);
        }
    }

    @Override
    public void close() {
        uploader.shutdownNow();
    }
}
