package dev.lifeboat.repo;

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
    /** One packer for all workers: adding a blob is a short copy, and one open pack bounds memory. */
    private final PackWriter packer;
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
        this.packer = new PackWriter(packSize);
        int uploads = Math.max(1, Math.min(2, parallelism));
        this.uploader = Executors.newFixedThreadPool(uploads, r -> {
            Thread t = new Thread(r, "lifeboat-upload");
            t.setDaemon(true);
            return t;
        });
        // each upload holds a finished pack (packSize bytes): two in flight keep the disk or network busy
        this.uploadSlots = new Semaphore(uploads);
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
        synchronized (packer) {
            packer.add(id, type, encoded);
            if (packer.size() >= packSize) {
                uploadCurrentPack();
            }
        }
        return id;
    }

    /**
     * Stores a blob as it is already sealed (prune copies blobs between packs this way), even when the
     * index holds it in another pack: that pack is about to be deleted.
     */
    public void saveSealed(BlobId id, BlobType type, BlobCodec.Encoded sealed) {
        rethrowFailure();
        if (claimed.putIfAbsent(id, Boolean.TRUE) != null) {
            return;
        }
        newBlobs.incrementAndGet();
        newBytes.addAndGet(sealed.rawLength());
        synchronized (packer) {
            packer.add(id, type, sealed);
            if (packer.size() >= packSize) {
                uploadCurrentPack();
            }
        }
    }

    /** Finishes the open pack and uploads it in the background; the caller holds the packer's lock. */
    private void uploadCurrentPack() {
        uploadSlots.acquireUninterruptibly();
        byte[] bytes = packer.finish(codec.key());
        List<PackEntry> entries = packer.entries();
        packer.reset();
        Future<?> f = uploader.submit(() -> {
            try {
                BlobId packId = Repository.sha256(bytes, 0, bytes.length);
                repo.backend().put(new ObjectName(ObjectKind.DATA, packId.hex()), bytes);
                storedBytes.addAndGet(bytes.length);
                packsWritten.incrementAndGet();
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
        synchronized (packer) {
            if (packer.count() > 0) {
                uploadCurrentPack();
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
