package dev.lifeboat.repo.prune;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.Retention;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.index.IndexRewrite;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeReader;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
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
 * <p>Memory: prune never loads the {@link dev.lifeboat.repo.index.BlobIndex}. It reads the index objects as a
 * stream, three times at most: to find which are superseded and where the tree blobs are, to count each
 * pack's used bytes, and to copy the entries of the packs that stay. It holds the locations of tree blobs,
 * 8 bytes and 2 bits per blob in use ({@link UsedBlobs}, {@link PackUsage}) and a few numbers per pack;
 * trees are streamed.
 */
public final class Pruner {
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
        IndexStart start = stoppingOnDamagedIndex(() -> readIndexStart(allIndexIds));
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
        UsedBlobs used = new UsedBlobs();
        walk(listing.snapshots(), start.trees(), (ref, node, id) -> used.add(id));
        long t1 = System.nanoTime();

        PackUsage usage = stoppingOnDamagedIndex(() -> PackUsage.count(repo, start.live(), used));
        if (usage.missing() > 0) {
            walk(listing.snapshots(), start.trees(), (ref, node, id) -> {
                if (!usage.isIndexed(id)) {
                    throw missingBlob(ref, node == null ? "its tree" : "file '" + node.path() + "'", id);
                }
            });
        }
        int packCount = usage.packCount();
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
            BlobId packId = usage.pack(p);
            Long size = packSizes.get(packId);
            totalUsed += usage.usedBytes(p);
            if (size == null) {
                if (usage.usedCount(p) > 0) {
                    throw new LifeboatException(ErrorCode.INTEGRITY, "prune stopped before deleting anything: pack '"
                            + packId.shortHex() + "' holds blobs that snapshots need but is missing",
                            "run 'lifeboat check', then 'lifeboat repair index' and 'lifeboat repair snapshots'");
                }
                missing.set(p);
                continue;
            }
            totalSize += size;
            long overhead = 4 + 28 + 9 + 42L * usage.entries(p);
            unused[p] = Math.max(0, size - usage.usedBytes(p) - overhead);
            if (usage.usedCount(p) == 0) {
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
        partly.sort((a, b) -> Double.compare((double) unused[b] / packSizes.get(usage.pack(b)),
                (double) unused[a] / packSizes.get(usage.pack(a))));
        long repackBytes = 0;
        for (int p : partly) {
            long size = packSizes.get(usage.pack(p));
            long after = totalUsed + unusedKept;
            if (unusedKept <= options.maxUnused() * after) {
                break;
            }
            if (repackBytes + size > options.maxRepack()) {
                continue;
            }
            if (isLocked(usage.pack(p), now, locked)) {
                continue;
            }
            repack.set(p);
            repackBytes += size;
            unusedKept -= unused[p];
        }
        List<ObjectName> unindexed = new ArrayList<>();
        for (BlobId packId : packSizes.keySet()) {
            if (usage.number(packId) < 0) {
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
            toFree += packSizes.get(usage.pack(p));
        }
        for (int p = repack.nextSetBit(0); p >= 0; p = repack.nextSetBit(p + 1)) {
            toFree += unused[p];
        }
        for (ObjectName n : unindexed) {
            toFree += packSizes.get(BlobId.parse(n.name()));
        }
        boolean rewriteIndex = !delete.isEmpty() || !repack.isEmpty() || !missing.isEmpty()
                || allIndexIds.size() > start.live().size();
        long t2 = System.nanoTime();
        Plan plan = new Plan(listing.snapshots().size(), usage.blobs(), usage.usedBlobs(), packCount, totalSize,
                totalUsed, delete.cardinality(), repack.cardinality(), repackBytes, unindexed.size(), toFree,
                rewriteIndex ? allIndexIds.size() : 0, wal.size(), List.copyOf(locked), (tIndex - t0) / 1_000_000,
                (t1 - tIndex) / 1_000_000, (t2 - t1) / 1_000_000);
        if (options.dryRun()) {
            return new Result(plan, true, 0, 0, 0, plan.lockedObjects());
        }
        int packsWritten = 0;
        Set<BlobId> newIndexIds = Set.of();
        if (rewriteIndex) {
            IndexRewrite rewrite = new IndexRewrite(repo, allIndexIds);
            packsWritten = repackAndCopyIndex(start.live(), usage, delete, repack, missing, rewrite);
            newIndexIds = rewrite.finish();
        }
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
            deleted += deleteUnlessLocked(new ObjectName(ObjectKind.DATA, usage.pack(p).hex()), now, locked);
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

    /** The index objects that are not superseded, and where the tree blobs they name are stored. */
    private record IndexStart(List<BlobId> live, Map<BlobId, BlobIndex.Location> trees) {
    }

    private record TreeCopy(BlobId indexObject, BlobIndex.Location location) {
    }

    /**
     * Reads every index object once, keeping only which objects others supersede (leaving those out as a
     * reader of the index does) and the locations of tree blobs, the only blobs prune reads. When a blob is in
     * several packs the first listed is used, as {@link BlobIndex} does.
     */
    private IndexStart readIndexStart(List<BlobId> allIndexIds) {
        Set<BlobId> superseded = new HashSet<>();
        List<TreeCopy> treeCopies = new ArrayList<>();
        repo.forEachIndexPlain(allIndexIds, (id, plain) -> {
            superseded.addAll(plain.scan((pack, entries) -> {
                while (entries.next()) {
                    if (entries.type() == BlobType.TREE) {
                        treeCopies.add(new TreeCopy(id, new BlobIndex.Location(pack, entries.entry())));
                    }
                }
            }));
            return true;
        });
        List<BlobId> live = new ArrayList<>(allIndexIds);
        live.removeAll(superseded);
        Map<BlobId, BlobIndex.Location> trees = new HashMap<>();
        for (TreeCopy t : treeCopies) {
            if (!superseded.contains(t.indexObject())) {
                trees.putIfAbsent(t.location().entry().id(), t.location());
            }
        }
        return new IndexStart(List.copyOf(live), trees);
    }

    private static <T> T stoppingOnDamagedIndex(java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (LifeboatException e) {
            if (e.code() != ErrorCode.INTEGRITY) {
                throw e;
            }
            throw new LifeboatException(ErrorCode.INTEGRITY, "prune stopped before deleting anything: "
                    + e.getMessage(), "run 'lifeboat repair index' first, then prune again");
        }
    }

    /** Receives every blob a snapshot names; {@code node} is null for the snapshot's tree blobs. */
    private interface Reference {
        void blob(SnapshotRef ref, Node node, BlobId id);
    }

    /** Calls {@code each} with every tree blob and content blob of every snapshot (snapshots sharing a tree once). */
    private void walk(List<SnapshotRef> snapshots, Map<BlobId, BlobIndex.Location> trees, Reference each) {
        Set<List<BlobId>> seenTrees = new HashSet<>();
        progress.start("mark", snapshots.size(), Progress.Unit.ITEMS);
        for (SnapshotRef ref : snapshots) {
            List<BlobId> tree = ref.snapshot().tree();
            if (seenTrees.add(tree)) {
                for (BlobId id : tree) {
                    if (!trees.containsKey(id)) {
                        throw missingBlob(ref, "its tree", id);
                    }
                    each.blob(ref, null, id);
                }
                TreeReader nodes = new TreeReader(id -> {
                    BlobIndex.Location at = trees.get(id);
                    return repo.loadBlob(at.pack(), at.entry());
                }, tree);
                while (nodes.hasNext()) {
                    Node n = nodes.next();
                    if (n.content() != null) {
                        for (BlobId id : n.content()) {
                            each.blob(ref, n, id);
                        }
                    }
                }
            }
            progress.advance(1);
        }
        progress.finish();
    }

    private static LifeboatException missingBlob(SnapshotRef ref, String what, BlobId id) {
        return new LifeboatException(ErrorCode.INTEGRITY, "prune stopped before deleting anything: snapshot '"
                + ref.id().shortHex() + "': " + what + " needs blob '" + id.shortHex() + "' which is missing",
                "run 'lifeboat repair index', then 'lifeboat repair snapshots' if blobs are still missing");
    }

    /**
     * Streams the index once more: the used blobs of each pack to repack are copied into new packs (verified
     * on the way), and the entries of every pack that stays are copied into the index rewrite, all before the
     * rewrite's last object. Returns the number of packs written.
     */
    private int repackAndCopyIndex(List<BlobId> live, PackUsage usage, BitSet delete, BitSet repack, BitSet missing,
                                   IndexRewrite rewrite) {
        PackCopier copier = new PackCopier(repo, rewrite);
        progress.start("repack", repack.cardinality(), Progress.Unit.ITEMS);
        usage.scanFirstListings(repo, live, (n, pack, entries) -> {
            if (delete.get(n) || missing.get(n)) {
                return;
            }
            List<PackEntry> list = new ArrayList<>(entries.count());
            boolean repacked = repack.get(n);
            while (entries.next()) {
                if (!repacked || usage.keeps(n, entries)) {
                    list.add(entries.entry());
                }
            }
            if (repacked) {
                copier.copy(pack, list);
                progress.advance(1);
            } else {
                rewrite.add(pack, list);
            }
        });
        int packs = copier.finish();
        progress.finish();
        return packs;
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
