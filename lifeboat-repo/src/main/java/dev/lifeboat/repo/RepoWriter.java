package dev.lifeboat.repo;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.index.IndexFile;
import dev.lifeboat.repo.pack.BlobCodec;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.pack.PackWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Saves blobs into new packs, deduplicating against the index and against blobs saved meanwhile.
 *
 * <p>Write order (the crash-safety contract of the format): a pack is stored before any index names
 * it, and {@link #flush()} returns only after every pack and the index objects naming them are stored,
 * so a snapshot saved after {@code flush()} never references missing data. An index object is written
 * every {@value #PACKS_PER_INDEX} packs so an interrupted backup's work is reused by the next one.
 *
 * <p>A pack is filled in a spool file (in the backend's {@link Backend#spoolDirectory()}, where storing
 * it is a rename), so packs waiting for their upload cost disk, not heap. Thread-safe: many workers may
 * call {@link #save} at once.
 */
public final class RepoWriter implements AutoCloseable {
    static final int PACKS_PER_INDEX = 64;
    /** Largest piece handed to the file channel at once: the JDK copies each through a cached direct buffer. */
    private static final int WRITE_PIECE = 1024 * 1024;
    private final Repository repo;
    private final BlobCodec codec;
    private final int packSize;
    private final ConcurrentHashMap<BlobId, Boolean> claimed = new ConcurrentHashMap<>();
    /** The pack being filled, shared by all workers (adding a blob is a short write), or null. */
    private Spool open;
    private final Object packLock = new Object();
    private final Path spoolDir;
    private final Set<Path> spoolFiles = ConcurrentHashMap.newKeySet();
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
        this(repo, parallelism, repo.codec());
    }

    /** A writer that seals new blobs with {@code codec}: the repository's key with a compression level of its own. */
    public RepoWriter(Repository repo, int parallelism, BlobCodec codec) {
        this.repo = repo;
        this.codec = codec;
        this.packSize = repo.config().packSize();
        this.spoolDir = spoolDirectory(repo.backend());
        int uploads = Math.max(1, Math.min(2, parallelism));
        this.uploader = Executors.newFixedThreadPool(uploads, r -> {
            Thread t = new Thread(r, "lifeboat-upload");
            t.setDaemon(true);
            return t;
        });
        // two finished packs in flight keep the disk or network busy while the next one fills
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
        return save(type, plain, plain.length);
    }

    /**
     * Saves the first {@code length} bytes of {@code plain} as a blob unless the repository already holds
     * it; the array is not kept, so the caller may reuse it when this returns.
     *
     * @return the blob's id
     */
    public BlobId save(BlobType type, byte[] plain, int length) {
        rethrowFailure();
        BlobId id = codec.key().blobId(plain, 0, length);
        if (repo.index().contains(id) || claimed.putIfAbsent(id, Boolean.TRUE) != null) {
            return id;
        }
        BlobCodec.Sealed sealed = codec.seal(plain, length);
        newBlobs.incrementAndGet();
        newBytes.addAndGet(length);
        addToPack(id, type, sealed);
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
        addToPack(id, type, sealed.view());
    }

    private void addToPack(BlobId id, BlobType type, BlobCodec.Sealed sealed) {
        synchronized (packLock) {
            try {
                if (open == null) {
                    open = new Spool(newSpoolFile());
                }
                open.packer.add(id, type, sealed);
                if (open.packer.size() >= packSize) {
                    uploadOpenPack();
                }
            } catch (UncheckedIOException e) {
                String dir = String.valueOf(spoolDir);
                throw new LifeboatException(ErrorCode.STORAGE_PERMANENT, "cannot write a pack to its spool file in '"
                        + dir + "': " + e.getCause().getMessage(), "free space there; nothing stored so far is lost", e);
            }
        }
    }

    /**
     * The backend's spool folder, else a folder of this user's own in the system's temporary folder: created
     * here, before a backup looks at anything, so that spool files never change the temporary folder itself
     * while a backup records it (a backup of a tree below /tmp records /tmp).
     */
    private static Path spoolDirectory(Backend backend) {
        Path dir = backend.spoolDirectory();
        if (dir == null) {
            dir = Path.of(System.getProperty("java.io.tmpdir"), "lifeboat-spool-" + System.getProperty("user.name"));
        }
        try {
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw spoolError(dir, e);
        }
    }

    private static LifeboatException spoolError(Path dir, IOException e) {
        return new LifeboatException(ErrorCode.STORAGE_PERMANENT, "cannot create a spool file for a pack in '"
                + dir + "': " + e.getMessage(), "free space there or make it writable", e);
    }

    private Path newSpoolFile() {
        try {
            Path file = Files.createTempFile(spoolDir, ".tmp-pack-", "");
            spoolFiles.add(file);
            return file;
        } catch (IOException e) {
            throw spoolError(spoolDir, e);
        }
    }

    /** Finishes the open pack and uploads it in the background; the caller holds the pack lock. */
    private void uploadOpenPack() {
        uploadSlots.acquireUninterruptibly();
        Spool spool = open;
        open = null;
        BlobId packId;
        try {
            packId = spool.packer.finish(codec.key());
            spool.channel.close();
        } catch (IOException | RuntimeException e) {
            uploadSlots.release();
            spool.discard();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        List<PackEntry> entries = spool.packer.entries();
        long bytes = spool.packer.length();
        Future<?> f = uploader.submit(() -> {
            try {
                repo.backend().putFile(new ObjectName(ObjectKind.DATA, packId.hex()), spool.file);
                storedBytes.addAndGet(bytes);
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
                spool.discard();
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
        synchronized (packLock) {
            if (open != null && open.packer.count() > 0) {
                uploadOpenPack();
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

    /** Stops uploading and deletes the spool files of packs not stored (all of them after a flush). */
    @Override
    public void close() {
        Futures.stopNow(uploader);
        try {
            uploader.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (packLock) {
            if (open != null) {
                try {
                    open.channel.close();
                } catch (IOException ignored) {
                    // the file is deleted next
                }
                open = null;
            }
        }
        for (Path file : spoolFiles) {
            deleteSpool(file);
        }
    }

    private void deleteSpool(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover spool file has a temporary name: listing skips it
        }
        spoolFiles.remove(file);
    }

    /** A pack being filled in its spool file. */
    private final class Spool {
        final Path file;
        final FileChannel channel;
        final PackWriter packer;

        Spool(Path file) {
            this.file = file;
            try {
                this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
            } catch (IOException e) {
                deleteSpool(file);
                throw new UncheckedIOException("cannot open spool file '" + file + "': " + e.getMessage(), e);
            }
            this.packer = new PackWriter(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    for (int done = 0; done < len; ) {
                        ByteBuffer piece = ByteBuffer.wrap(b, off + done, Math.min(WRITE_PIECE, len - done));
                        done += piece.remaining();
                        while (piece.hasRemaining()) {
                            channel.write(piece);
                        }
                    }
                }
            });
        }

        void discard() {
            deleteSpool(file);
        }
    }
}
