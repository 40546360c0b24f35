package dev.lifeboat.repo.check;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Futures;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectInfo;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.Retention;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.index.IndexFile;
import dev.lifeboat.repo.pack.BlobCodec;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.pack.PackHeader;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeReader;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verifies a repository: every index decodes, every indexed pack exists with a plausible size, every
 * snapshot and tree decodes and every blob they name is indexed; optionally reads a share of the packs
 * (or all) and authenticates every byte against pack names, headers, index entries and blob ids; on
 * storage with object lock (S3) it reports the lock state of a sample of objects.
 */
public final class Checker {
    private final Repository repo;
    private final Progress progress;

    public Checker(Repository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    /** One problem: the object concerned and what is wrong with it. */
    public record Problem(String object, String message) {
        @Override
        public String toString() {
            return object + ": " + message;
        }
    }

    /**
     * The outcome of a check.
     *
     * @param objectLock the object lock state of a sample of objects, or null when the storage has no object
     *                   lock (a local folder)
     */
    public record Report(List<Problem> errors, List<String> warnings, int indexes, int packs, long blobs,
                         int snapshots, int packsRead, long bytesRead, double indexBytesPerBlob,
                         LockState objectLock) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** How many objects of each kind (keys, index files, snapshots, packs) the object lock sample takes. */
    static final int LOCK_SAMPLE_PER_KIND = 4;

    /** One sampled object and its object lock retention (mode and until null when it has none). */
    public record SampledObject(String object, String mode, Instant until) {
    }

    /**
     * The S3 Object Lock state of the config and of a few keys, index files, snapshots and packs chosen at
     * random: how many of them are protected now, in which modes, and the earliest end of their retention.
     */
    public record LockState(int sampled, int locked, List<String> modes, Instant earliestUntil,
                            List<SampledObject> objects) {

        static LockState of(List<SampledObject> objects, Instant now) {
            List<SampledObject> protectedNow = objects.stream()
                    .filter(o -> new Retention(o.mode(), o.until()).protectsAt(now)).toList();
            return new LockState(objects.size(), protectedNow.size(),
                    protectedNow.stream().map(SampledObject::mode).distinct().sorted().toList(),
                    protectedNow.stream().map(SampledObject::until).min(Instant::compareTo).orElse(null), objects);
        }

        /** One line for people, for example "object lock: 17 of 17 sampled objects are locked (COMPLIANCE) …". */
        public String describe() {
            if (locked == 0) {
                return "object lock: none of the " + sampled + " sampled objects is locked";
            }
            return "object lock: " + locked + " of " + sampled + " sampled objects " + (locked == 1 ? "is" : "are")
                    + " locked (" + String.join(", ", modes) + ") until " + earliestUntil + " at the earliest";
        }
    }

    /**
     * Runs the check.
     *
     * @param readShare 0 for structure only, 1 to read every pack, in between to read that share of packs
     *                  chosen at random
     */
    public Report run(double readShare) {
        List<Problem> errors = Collections.synchronizedList(new ArrayList<>());
        List<String> warnings = new ArrayList<>();

        BlobIndex index = new BlobIndex();
        Map<BlobId, List<PackEntry>> indexed = new HashMap<>();
        List<BlobId> indexIds = repo.listIds(ObjectKind.INDEX);
        progress.start("index", indexIds.size(), Progress.Unit.ITEMS);
        Map<BlobId, IndexFile> files = new java.util.LinkedHashMap<>();
        Set<BlobId> superseded = new HashSet<>();
        for (BlobId id : indexIds) {
            try {
                IndexFile file = IndexFile.decode(repo.loadUnpacked(ObjectKind.INDEX, id), "index");
                files.put(id, file);
                superseded.addAll(file.supersedes());
            } catch (LifeboatException e) {
                errors.add(new Problem("index/" + id.hex(), e.getMessage()));
            }
            progress.advance(1);
        }
        progress.finish();
        // a superseded index object is left over by an interrupted prune or repair, which deletes it on its next run
        for (var f : files.entrySet()) {
            if (superseded.contains(f.getKey())) {
                continue;
            }
            for (var p : f.getValue().packs().entrySet()) {
                index.addPack(p.getKey(), p.getValue());
                indexed.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).addAll(p.getValue());
            }
        }
        files.keySet().retainAll(superseded);
        if (!files.isEmpty()) {
            warnings.add(files.size() + " index object(s) are superseded (left by an interrupted prune or repair); "
                    + "run 'lifeboat prune' to remove them");
        }

        Map<BlobId, Long> packSizes = new HashMap<>();
        repo.backend().list(ObjectKind.DATA, (ObjectInfo info) -> {
            try {
                packSizes.put(BlobId.parse(info.name().name()), info.size());
            } catch (IllegalArgumentException e) {
                warnings.add("'" + info.name().path() + "' is not a pack file Lifeboat wrote; it is ignored");
            }
        });
        for (var p : indexed.entrySet()) {
            Long size = packSizes.get(p.getKey());
            if (size == null) {
                errors.add(new Problem("pack " + p.getKey().hex(), "named by the index but missing"));
                continue;
            }
            long end = p.getValue().stream().mapToLong(e -> (long) e.offset() + e.length()).max().orElse(0);
            if (end + 4 + 28 > size) {
                errors.add(new Problem("pack " + p.getKey().hex(), "is " + size
                        + " bytes, too short for the blobs the index places in it (truncated)"));
            }
        }
        int unindexed = 0;
        for (BlobId pack : packSizes.keySet()) {
            if (!indexed.containsKey(pack)) {
                unindexed++;
            }
        }
        if (unindexed > 0) {
            warnings.add(unindexed + " pack(s) are in no index (left by an interrupted backup); they are harmless "
                    + "and hold no data any snapshot needs");
        }

        SnapshotStore store = new SnapshotStore(repo);
        List<BlobId> snapshotIds = repo.listIds(ObjectKind.SNAPSHOT);
        progress.start("snapshots", snapshotIds.size(), Progress.Unit.ITEMS);
        Set<BlobId> checkedTrees = new HashSet<>();
        for (BlobId id : snapshotIds) {
            String what = "snapshot " + id.shortHex();
            try {
                Snapshot s = store.load(id);
                checkTree(s, what, index, checkedTrees, errors);
            } catch (LifeboatException e) {
                errors.add(new Problem(what, e.getMessage()));
            }
            progress.advance(1);
        }
        progress.finish();

        int packsRead = 0;
        AtomicLong bytesRead = new AtomicLong();
        if (readShare > 0) {
            List<BlobId> toRead = new ArrayList<>(packSizes.keySet());
            toRead.sort(null);
            if (readShare < 1) {
                Collections.shuffle(toRead, new Random());
                toRead = new ArrayList<>(toRead.subList(0, (int) Math.ceil(toRead.size() * readShare)));
            }
            long total = toRead.stream().mapToLong(packSizes::get).sum();
            progress.start("read data", total, Progress.Unit.BYTES);
            try (ExecutorService pool = Executors.newFixedThreadPool(
                    Math.max(2, Runtime.getRuntime().availableProcessors()))) {
                List<Future<?>> tasks = new ArrayList<>();
                for (BlobId pack : toRead) {
                    tasks.add(pool.submit(() -> {
                        long size = packSizes.get(pack);
                        readPack(pack, size, indexed.get(pack), errors);
                        bytesRead.addAndGet(size);
                        progress.advance(size);
                    }));
                }
                for (Future<?> t : tasks) {
                    Futures.get(t);
                }
            }
            packsRead = toRead.size();
            progress.finish();
        }
        LockState lockState = lockState(Map.of(ObjectKind.INDEX, indexIds, ObjectKind.DATA,
                List.copyOf(packSizes.keySet()), ObjectKind.SNAPSHOT, snapshotIds), warnings);
        List<Problem> sorted = new ArrayList<>(errors);
        sorted.sort((a, b) -> a.object().compareTo(b.object()));
        return new Report(sorted, warnings, indexIds.size(), packSizes.size(), index.size(), snapshotIds.size(),
                packsRead, bytesRead.get(), index.bytesPerBlob(), lockState);
    }

    /**
     * Reads the retention of the config and of up to {@link #LOCK_SAMPLE_PER_KIND} random keys, index files,
     * packs and snapshots; null when the backend has no object lock.
     *
     * @param found the ids of index files, packs and snapshots the check found
     */
    private LockState lockState(Map<ObjectKind, List<BlobId>> found, List<String> warnings) {
        if (repo.backend().retention(ObjectName.CONFIG) == null) {
            return null;
        }
        Map<ObjectKind, List<BlobId>> ids = new HashMap<>(found);
        ids.put(ObjectKind.KEY, repo.listIds(ObjectKind.KEY));
        List<ObjectName> names = new ArrayList<>(List.of(ObjectName.CONFIG));
        for (var kind : ids.entrySet()) {
            List<BlobId> some = new ArrayList<>(kind.getValue());
            Collections.shuffle(some);
            for (BlobId id : some.subList(0, Math.min(LOCK_SAMPLE_PER_KIND, some.size()))) {
                names.add(new ObjectName(kind.getKey(), id.hex()));
            }
        }
        List<SampledObject> sample = new ArrayList<>();
        for (ObjectName name : names) {
            try {
                Retention r = repo.backend().retention(name);
                sample.add(new SampledObject(name.path(), r.mode(), r.until()));
            } catch (LifeboatException e) {
                warnings.add("cannot read the object lock of '" + name.path() + "': " + e.getMessage());
            }
        }
        sample.sort(Comparator.comparing(SampledObject::object));
        LockState state = LockState.of(sample, Instant.now());
        if (state.locked() > 0 && state.locked() < state.sampled()) {
            warnings.add((state.sampled() - state.locked()) + " of " + state.sampled() + " sampled objects are not "
                    + "locked: they were written before object lock was configured, or their retention has ended");
        }
        return state;
    }

    private void checkTree(Snapshot s, String what, BlobIndex index, Set<BlobId> checkedTrees, List<Problem> errors) {
        for (BlobId t : s.tree()) {
            if (!index.contains(t)) {
                errors.add(new Problem(what, "tree blob " + t.shortHex() + " is missing"));
                return;
            }
        }
        if (!checkedTrees.addAll(s.tree()) && !s.tree().isEmpty()) {
            return;
        }
        TreeReader reader = new TreeReader(repo, s.tree());
        while (reader.hasNext()) {
            Node n = reader.next();
            if (n.content() == null) {
                continue;
            }
            for (BlobId b : n.content()) {
                if (!index.contains(b)) {
                    errors.add(new Problem(what, "file '" + n.path() + "' needs blob " + b.shortHex()
                            + " which is missing"));
                    break;
                }
            }
        }
    }

    /** A read-data thread's buffer, reused from pack to pack so that reading every pack allocates little. */
    private static final class ReadBuffers {
        byte[] window = new byte[0];
        final BlobCodec.Scratch blobs = BlobCodec.Scratch.reused();

        byte[] window(int size) {
            if (window.length < size) {
                // blobs differ a little in size: room to spare saves one dead array per larger blob
                window = new byte[(int) Math.min(Integer.MAX_VALUE - 8, size + (long) size / 8)];
            }
            return window;
        }
    }

    private final ThreadLocal<ReadBuffers> readBuffers = ThreadLocal.withInitial(ReadBuffers::new);

    /**
     * Reads a pack front to back in pieces of the backend's preferred read size, hashing the pieces as they
     * come and decoding each blob once its bytes are in: a thread holds a piece and the largest blob of the
     * pack, not the whole pack (1 GiB of 16 MiB packs in a local repository, check --read-data in a resident
     * process: peak RSS 174 MiB when whole packs were read, 149 to 162 MiB now, same time). The header comes
     * first, by two small reads from the end; the window holds a full piece beyond any blob, so reads stay
     * at the preferred size and the last one usually takes the header along.
     */
    private void readPack(BlobId pack, long size, List<PackEntry> indexEntries, List<Problem> errors) {
        String what = "pack " + pack.hex();
        ObjectName name = new ObjectName(ObjectKind.DATA, pack.hex());
        List<Problem> found = new ArrayList<>();
        List<PackEntry> header = null;
        try {
            header = PackHeader.read(repo.backend(), name, repo.key(), size, "pack");
        } catch (LifeboatException e) {
            // reported after the name check below, unless the pack cannot be read at all
            found.add(new Problem(what, e.getMessage()));
        }
        int piece = Math.max(1, repo.backend().preferredReadSize());
        List<PackEntry> blobs = header == null ? List.of() : header;
        int largest = blobs.stream().mapToInt(PackEntry::length).max().orElse(0);
        ReadBuffers buffers = readBuffers.get();
        byte[] window = buffers.window((int) Math.min(size, (long) piece + largest));
        MessageDigest sha = Repository.sha256();
        // window[0, have) holds the pack's bytes from base on; every byte read is hashed once, in order
        long base = 0;
        int have = 0;
        try {
            // the header's entries follow each other from offset 0 (PackHeader.decode checks that)
            for (PackEntry e : blobs) {
                long end = (long) e.offset() + e.length();
                if (end > base + window.length) {
                    int keep = (int) (base + have - e.offset());
                    System.arraycopy(window, (int) (e.offset() - base), window, 0, keep);
                    base = e.offset();
                    have = keep;
                }
                while (base + have < end) {
                    int n = (int) Math.min(Math.min(piece, window.length - have), size - base - have);
                    readHashed(name, base + have, n, window, have, sha);
                    have += n;
                }
                try {
                    repo.decodeBlob(pack, e, window, (int) (e.offset() - base), buffers.blobs);
                } catch (LifeboatException ex) {
                    found.add(new Problem(what, "blob " + e.id().hex() + " is damaged: " + ex.getMessage()));
                }
            }
            for (long at = base + have; at < size; ) {
                int n = (int) Math.min(Math.min(piece, window.length), size - at);
                readHashed(name, at, n, window, 0, sha);
                at += n;
            }
        } catch (LifeboatException e) {
            errors.add(new Problem(what, e.getMessage()));
            return;
        }
        if (!BlobId.of(sha.digest()).equals(pack)) {
            errors.add(new Problem(what, "content does not match its name (the file was altered or damaged)"));
        }
        errors.addAll(found);
        if (indexEntries != null && header != null) {
            Set<PackEntry> inHeader = new HashSet<>(header);
            for (PackEntry e : indexEntries) {
                if (!inHeader.contains(e)) {
                    errors.add(new Problem(what, "index entry for blob " + e.id().shortHex()
                            + " does not match the pack header"));
                }
            }
        }
    }

    /** Reads {@code length} bytes of the pack from {@code offset} into the window from {@code at}, and hashes them. */
    private void readHashed(ObjectName name, long offset, int length, byte[] window, int at, MessageDigest sha) {
        repo.backend().readRange(name, offset, length, window, at);
        sha.update(window, at, length);
    }
}
