package dev.lifeboat.repo.snapshot;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Futures;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectKind;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/** Saves, lists and finds snapshots. */
public final class SnapshotStore {
    private final Repository repo;

    public SnapshotStore(Repository repo) {
        this.repo = repo;
    }

    /** Stores the snapshot: the commit point of a backup, written after its data and index. */
    public SnapshotRef save(Snapshot snapshot) {
        BlobId id = repo.saveUnpacked(ObjectKind.SNAPSHOT, Json.bytes(snapshot));
        return new SnapshotRef(id, snapshot);
    }

    public Snapshot load(BlobId id) {
        return Json.read(repo.loadUnpacked(ObjectKind.SNAPSHOT, id), Snapshot.class,
                "snapshot '" + id.shortHex() + "'");
    }

    /** Every readable snapshot, oldest first; damaged ones are left out (see {@link #listing()}). */
    public List<SnapshotRef> list() {
        return listing().snapshots();
    }

    /** The readable snapshots, oldest first, and the snapshot objects that could not be read, with why. */
    public record Listing(List<SnapshotRef> snapshots, Map<BlobId, String> damaged) {
    }

    public Listing listing() {
        List<BlobId> ids = repo.listIds(ObjectKind.SNAPSHOT);
        List<SnapshotRef> out = new ArrayList<>(ids.size());
        Map<BlobId, String> damaged = new TreeMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, Math.max(1, ids.size())))) {
            List<Future<Snapshot>> loads = new ArrayList<>();
            for (BlobId id : ids) {
                loads.add(pool.submit(() -> load(id)));
            }
            for (int i = 0; i < ids.size(); i++) {
                try {
                    out.add(new SnapshotRef(ids.get(i), Futures.get(loads.get(i))));
                } catch (LifeboatException e) {
                    if (e.code() != ErrorCode.INTEGRITY && e.code() != ErrorCode.NOT_FOUND) {
                        throw e;
                    }
                    damaged.put(ids.get(i), e.getMessage());
                }
            }
        }
        out.sort(Comparator.comparing((SnapshotRef r) -> r.snapshot().time()).thenComparing(SnapshotRef::id));
        return new Listing(out, damaged);
    }

    /**
     * Finds a snapshot by id prefix (at least 4 hex characters) or {@code latest}, among the snapshots the
     * filter accepts ({@code latest} means the newest of those).
     */
    public SnapshotRef resolve(String spec, Predicate<SnapshotRef> filter, String filterDescription) {
        if (spec == null || spec.isBlank()) {
            throw LifeboatException.usage("no snapshot given", "name one by id or use 'latest'");
        }
        List<SnapshotRef> all = list().stream().filter(filter).toList();
        if (spec.equals("latest")) {
            if (all.isEmpty()) {
                throw new LifeboatException(ErrorCode.NOT_FOUND, "there is no snapshot" + filterDescription
                        + " in the repository", "run 'lifeboat backup' first, or 'lifeboat snapshots' to see what exists");
            }
            return all.get(all.size() - 1);
        }
        if (!spec.matches("[0-9a-fA-F]{4,64}")) {
            throw LifeboatException.usage("invalid snapshot id '" + spec + "'",
                    "give 4 to 64 hexadecimal characters of an id, or 'latest'");
        }
        String prefix = spec.toLowerCase();
        List<SnapshotRef> matches = all.stream().filter(r -> r.id().hex().startsWith(prefix)).toList();
        if (matches.isEmpty()) {
            throw new LifeboatException(ErrorCode.NOT_FOUND, "no snapshot '" + spec + "'" + filterDescription,
                    "run 'lifeboat snapshots' to list them");
        }
        if (matches.size() > 1) {
            throw LifeboatException.usage("snapshot id '" + spec + "' is ambiguous (" + matches.size()
                    + " snapshots start with it)", "give more characters of the id");
        }
        return matches.get(0);
    }
}
