package dev.lifeboat.repo.prune;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.Retention;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.index.IndexFile;
import dev.lifeboat.repo.pack.BlobCodec;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeReader;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes what no snapshot needs: unreferenced blobs (deleting packs that hold only those, copying the
 * used blobs of partly used packs into new packs), packs in no index (left by interrupted backups), index
 * objects that are superseded, and WAL that no physical backup in the repository needs.
 *
 * <p>The caller MUST hold an exclusive {@link dev.lifeboat.repo.lock.RepoLock} for the whole run: a backup
 * running meanwhile could deduplicate against a blob in a pack this prune deletes, and its snapshot would
 * then name missing data. Write order (the format's crash-safety rule): new packs, then their index
 * objects, then index objects for every pack kept, the last of which lists every older index object as
 * superseded; only then old index objects, packs and WAL are deleted. A crash at any point leaves a
 * repository whose snapshots are all complete, and the next prune finishes the work.
 *
 * <p>Memory: the compact {@link BlobIndex} plus one bit per blob (the mark set) and a few numbers per
 * pack; trees are streamed.
 */
public final class Pruner {
    /** Blob entries per index object prune writes. */
    static final int ENTRIES_PER_INDEX = 65_536;
    private final Repository repo;
    private final Progress progress;

    public Pruner(Repository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    /**
     * What to do.
     *
     * @param maxUnused  the share (0 to 1) of unused bytes tolerated in the packs that remain; 0 repacks every
     *                   partly used pack (needed to erase data)
     * @param maxRepack  the most pack bytes to read for repacking in this run
     */
    public record Options(boolean dryRun, double maxUnused, long maxRepack) {
        public Options {
            if (maxUnused < 0 || maxUnused > 1 || Double.isNaN(maxUnused)) {
                throw LifeboatException.usage("the unused share must be between 0% and 100%", "for example --max-unused 5%");
            }
            if (maxRepack < 0) {
                throw LifeboatException.usage("the repack limit must not be negative", "for example --max-repack 1GB");
            }
        }
    }

    /** What a prune found and decided (dry run) or did. */
    public record Plan(int snapshots, long blobs, long usedBlobs, int packs, long packBytes, long usedBytes,
                       int packsToDelete, int packsToRepack, long bytesToRepack, int unindexedPacks,
                       long bytesToFree, int indexObjectsToReplace, int walToDelete, List<String> lockedObjects,
                       long indexMillis, long markMillis, long planMillis) {
    }

    /** The outcome of a run. */
    public record Result(Plan plan, boolean dryRun, int packsWritten, int indexObjectsWritten, int objectsDeleted,
                         List<String> lockedObjects) {
    }

    /** Plans and, unless dry run, prunes. The caller holds an exclusive lock (see the class comment). */
    public Result run(Options options) {
        long t0 = System.nanoTime();
        Backend backend = repo.backend();
        repo.reloadIndex();
        List<BlobId> allIndexIds = repo.listIds(ObjectKind.INDEX);
        BlobIndex index;
        try {
            index = repo.index();
        } catch (LifeboatException e) {
            if (e.code() != ErrorCode.INTEGRITY) {
                throw e;
            }
            throw new LifeboatException(ErrorCode.INTEGRITY, "prune stopped before deleting anything: "
                    + e.getMessage(), "run 'lifeboat repair index' first, then prune again");
        }
        List<BlobId> liveIndexIds = repo.indexIds();
        long tIndex = System.nanoTime();
        Map<BlobId, Long> packSizes = new HashMap<>();
        backend.list(ObjectKind.DATA, info -> {
            try {
                packSizes.put(BlobId.parse(info.name().name()), info.size());
            } catch (IllegalArgumentException ignored) {
                // not a pack Lifeboat wrote; prune leaves it alone as check does
            }
        });

        SnapshotStore store = new SnapshotStore(repo);
        SnapshotStore.Listing listing = store.listing();
        if (!listing.damaged().isEmpty()) {
            var first = listing.damaged().entrySet().iterator().next();
            throw new LifeboatException(ErrorCode.INTEGRITY, "prune stopped before deleting anything: snapshot '"
                    + first.getKey().shortHex() + "' cannot be read (" + first.getValue() + ")",
                    "run 'lifeboat repair snapshots', or delete the damaged snapshot, then prune again");
        }
        BitSet used = mark(listing.snapshots(), index);
        long t1 = System.nanoTime();

        int packCount = index.packCount();
        int blobCount = index.size();
        long[] usedBytes = new long[packCount];
        int[] usedCount = new int[packCount];
        int[] entryCount = new int[packCount];
        for (int i = 0; i < blobCount; i++) {
            int p = index.packNumberOf(i);
            entryCount[p]++;
            if (used.get(i)) {
                usedCount[p]++;
                usedBytes[p] += index.lengthOf(i);
            }
        }
        BitSet delete = new BitSet(packCount);
        BitSet repack = new BitSet(packCount);
        BitSet missing = new BitSet(packCount);
        List<String> locked = new ArrayList<>();
        Instant now = Instant.now();
        long totalUsed = 0;
        long totalSize = 0;
        long unusedKept = 0;
        long[] unused = new long[packCount];
        List<Integer> partly = new ArrayList<>();
        for (int p = 0; p < packCount; p++) {
            BlobId packId = index.pack(p);
            Long size = packSizes.get(packId);
            totalUsed += usedBytes[p];
            if (size == null) {
                if (usedCount[p] > 0) {
                    throw new LifeboatException(ErrorCode.INTEGRITY, "prune stopped before deleting anything: pack '"
                            + packId.shortHex() + "' holds blobs that snapshots need but is missing",
                            "run 'lifeboat check', then 'lifeboat repair index' and 'lifeboat repair snapshots'");
                }
                missing.set(p);
                continue;
            }
            totalSize += size;
            long overhead = 4 + 28 + 9 + 42L * entryCount[p];
            unused[p] = Math.max(0, size - usedBytes[p] - overhead);
            if (usedCount[p] == 0) {
                if (isLocked(packId, now, locked)) {
                    unusedKept += unused[p];
                } else {
                    delete.set(p);
                }
            } else if (unused[p] > 0) {
                partly.add(p);
                unusedKept += unused[p];
            }
        }
        partly.sort((a, b) -> Double.compare((double) unused[b] / packSizes.get(index.pack(b)),
                (double) unused[a] / packSizes.get(index.pack(a))));
        long repackBytes = 0;
        for (int p : partly) {
            long size = packSizes.get(index.pack(p));
            long after = totalUsed + unusedKept;
            if (unusedKept <= options.maxUnused() * after) {
                break;
            }
            if (repackBytes + size > options.maxRepack()) {
                continue;
            }
            if (isLocked(index.pack(p), now, locked)) {
                continue;
            }
            repack.set(p);
            repackBytes += size;
            unusedKept -= unused[p];
        }
        List<ObjectName> unindexed = new ArrayList<>();
        for (BlobId packId : packSizes.keySet()) {
            if (index.packNumber(packId) < 0) {
                ObjectName name = new ObjectName(ObjectKind.DATA, packId.hex());
                if (!isLocked(name, now, locked)) {
                    unindexed.add(name);
                }
            }
        }
        unindexed.sort(java.util.Comparator.comparing(ObjectName::name));
        List<ObjectName> wal = WalRetention.unneeded(repo, listing.snapshots());
        long toFree = 0;
        for (int p = delete.nextSetBit(0); p >= 0; p = delete.nextSetBit(p + 1)) {
            toFree += packSizes.get(index.pack(p));
        }
        for (int p = repack.nextSetBit(0); p >= 0; p = repack.nextSetBit(p + 1)) {
            toFree += unused[p];
        }
        for (ObjectName n : unindexed) {
            toFree += packSizes.get(BlobId.parse(n.name()));
        }
        boolean rewriteIndex = !delete.isEmpty() || !repack.isEmpty() || !missing.isEmpty()
                || allIndexIds.size() > liveIndexIds.size();
        long t2 = System.nanoTime();
        Plan plan = new Plan(listing.snapshots().size(), blobCount, used.cardinality(), packCount, totalSize, totalUsed,
                delete.cardinality(), repack.cardinality(), repackBytes, unindexed.size(), toFree,
                rewriteIndex ? allIndexIds.size() : 0, wal.size(), List.copyOf(locked), (tIndex - t0) / 1_000_000,
                (t1 - tIndex) / 1_000_000, (t2 - t1) / 1_000_000);
        if (options.dryRun()) {
            return new Result(plan, true, 0, 0, 0, plan.lockedObjects());
        }
        int packsWritten = repack(index, used, repack);
        Set<BlobId> newIndexIds = rewriteIndex
                ? writeIndex(index, liveIndexIds, allIndexIds, delete, repack, missing) : Set.of();
        int deleted = 0;
        if (rewriteIndex) {
            for (BlobId id : allIndexIds) {
                if (!newIndexIds.contains(id)) {
                    deleted += deleteUnlessLocked(new ObjectName(ObjectKind.INDEX, id.hex()), now, locked);
                }
            }
        }
        BitSet gone = (BitSet) delete.clone();
        gone.or(repack);
        progress.start("delete", gone.cardinality() + unindexed.size() + wal.size(), Progress.Unit.ITEMS);
        for (int p = gone.nextSetBit(0); p >= 0; p = gone.nextSetBit(p + 1)) {
            deleted += deleteUnlessLocked(new ObjectName(ObjectKind.DATA, index.pack(p).hex()), now, locked);
            progress.advance(1);
        }
        for (ObjectName n : unindexed) {
            deleted += deleteUnlessLocked(n, now, locked);
            progress.advance(1);
        }
        for (ObjectName n : wal) {
            deleted += deleteUnlessLocked(n, now, locked);
            progress.advance(1);
        }
        progress.finish();
        repo.reloadIndex();
        return new Result(plan, false, packsWritten, newIndexIds.size(), deleted, List.copyOf(locked));
    }

    /** Marks every blob a snapshot names: its tree blobs and the content of every node. */
    private BitSet mark(List<SnapshotRef> snapshots, BlobIndex index) {
        BitSet used = new BitSet(index.size());
        Set<List<BlobId>> seenTrees = new HashSet<>();
        progress.start("mark", snapshots.size(), Progress.Unit.ITEMS);
        for (SnapshotRef ref : snapshots) {
            if (seenTrees.add(ref.snapshot().tree())) {
                for (BlobId tree : ref.snapshot().tree()) {
                    markOne(index, used, tree, ref, "its tree");
                }
                for (Node n : TreeReader.nodes(repo, ref.snapshot())) {
                    if (n.content() != null) {
                        for (BlobId id : n.content()) {
                            markOne(index, used, id, ref, "file '" + n.path() + "'");
                        }
                    }
                }
            }
            progress.advance(1);
        }
        progress.finish();
        return used;
    }

    private static void markOne(BlobIndex index, BitSet used, BlobId id, SnapshotRef ref, String what) {
        int i = index.entryNumber(id);
        if (i < 0) {
            throw new LifeboatException(ErrorCode.INTEGRITY, "prune stopped before deleting anything: snapshot '"
                    + ref.id().shortHex() + "': " + what + " needs blob '" + id.shortHex() + "' which is missing",
                    "run 'lifeboat repair index', then 'lifeboat repair snapshots' if blobs are still missing");
        }
        used.set(i);
    }

    /** Copies the used blobs of the packs to repack into new packs, verifying each; returns the pack count. */
    private int repack(BlobIndex index, BitSet used, BitSet repack) {
        if (repack.isEmpty()) {
            return 0;
        }
        Map<Integer, List<Integer>> entries = new LinkedHashMap<>();
        for (int p = repack.nextSetBit(0); p >= 0; p = repack.nextSetBit(p + 1)) {
            entries.put(p, new ArrayList<>());
        }
        for (int i = used.nextSetBit(0); i >= 0; i = used.nextSetBit(i + 1)) {
            List<Integer> list = entries.get(index.packNumberOf(i));
            if (list != null) {
                list.add(i);
            }
        }
        progress.start("repack", entries.size(), Progress.Unit.ITEMS);
        try (RepoWriter writer = new RepoWriter(repo, 2)) {
            for (var e : entries.entrySet()) {
                BlobId packId = index.pack(e.getKey());
                byte[] bytes = repo.backend().get(new ObjectName(ObjectKind.DATA, packId.hex()));
                for (int i : e.getValue()) {
                    PackEntry entry = index.entryAt(i);
                    if ((long) entry.offset() + entry.length() > bytes.length) {
                        throw LifeboatException.integrity("pack '" + packId.shortHex() + "' is truncated: blob '"
                                + entry.id().shortHex() + "' lies beyond its end");
                    }
                    repo.decodeBlob(packId, entry, bytes, entry.offset());
                    byte[] sealed = Arrays.copyOfRange(bytes, entry.offset(), entry.offset() + entry.length());
                    writer.saveSealed(entry.id(), entry.type(),
                            new BlobCodec.Encoded(sealed, entry.compressed(), entry.rawLength()));
                }
                progress.advance(1);
            }
            writer.flush();
            progress.finish();
            return (int) writer.stats().packs();
        }
    }

    /**
     * Writes index objects naming every pack that stays, copied from the live index objects (so every
     * entry of a pack's header stays indexed); the last one written supersedes every index object that
     * existed when the prune started. Returns the ids written.
     */
    private Set<BlobId> writeIndex(BlobIndex index, List<BlobId> liveIndexIds, List<BlobId> allIndexIds,
                                   BitSet delete, BitSet repack, BitSet missing) {
        Set<BlobId> written = new HashSet<>();
        BitSet done = new BitSet(index.packCount());
        Map<BlobId, List<PackEntry>> pending = new LinkedHashMap<>();
        int[] pendingEntries = {0};
        repo.forEachIndexFile(liveIndexIds, (id, file) -> {
            for (var p : file.packs().entrySet()) {
                int n = index.packNumber(p.getKey());
                if (n < 0 || delete.get(n) || repack.get(n) || missing.get(n) || done.get(n)) {
                    continue;
                }
                done.set(n);
                pending.put(p.getKey(), p.getValue());
                pendingEntries[0] += p.getValue().size();
                if (pendingEntries[0] >= ENTRIES_PER_INDEX) {
                    written.add(repo.saveUnpacked(ObjectKind.INDEX, new IndexFile(List.of(), pending).encode()));
                    pending.clear();
                    pendingEntries[0] = 0;
                }
            }
            return true;
        }, Set.of(), null);
        List<BlobId> supersedes = new ArrayList<>(allIndexIds);
        supersedes.removeAll(written);
        written.add(repo.saveUnpacked(ObjectKind.INDEX, new IndexFile(supersedes, pending).encode()));
        return written;
    }

    private boolean isLocked(BlobId pack, Instant now, List<String> locked) {
        return isLocked(new ObjectName(ObjectKind.DATA, pack.hex()), now, locked);
    }

    /** Whether S3 object lock keeps the object from being deleted now; such objects are listed and kept. */
    private boolean isLocked(ObjectName name, Instant now, List<String> locked) {
        Retention r = repo.backend().retention(name);
        if (r != null && r.protectsAt(now)) {
            locked.add(name.path() + " (locked until " + r.until() + ")");
            return true;
        }
        return false;
    }

    private int deleteUnlessLocked(ObjectName name, Instant now, List<String> locked) {
        if (isLocked(name, now, locked)) {
            return 0;
        }
        repo.backend().delete(name);
        return 1;
    }
}
