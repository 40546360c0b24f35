package dev.lifeboat.repo.index;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.pack.PackEntry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes index objects that replace the existing ones (prune, repair index), following the format's
 * superseding rule: objects of about {@link #ENTRIES_PER_INDEX} entries are stored as packs are added, and
 * {@link #finish} stores the last one, which lists every replaced object as superseded. Memory: the entries
 * of one object.
 */
public final class IndexRewrite {
    /** Blob entries per index object written. */
    public static final int ENTRIES_PER_INDEX = 65_536;
    private final Repository repo;
    private final List<BlobId> replaced;
    private final Set<BlobId> written = new HashSet<>();
    private final Map<BlobId, List<PackEntry>> pending = new LinkedHashMap<>();
    private int pendingEntries;

    /** A rewrite that will supersede {@code replaced}, the index objects that existed when it started. */
    public IndexRewrite(Repository repo, List<BlobId> replaced) {
        this.repo = repo;
        this.replaced = List.copyOf(replaced);
    }

    /** Adds a pack that stays; the caller MUST have stored the pack before (write-order rule 1). */
    public void add(BlobId pack, List<PackEntry> entries) {
        pending.put(pack, entries);
        pendingEntries += entries.size();
        if (pendingEntries >= ENTRIES_PER_INDEX) {
            written.add(repo.saveUnpacked(ObjectKind.INDEX, new IndexFile(List.of(), pending).encode()));
            pending.clear();
            pendingEntries = 0;
        }
    }

    /**
     * Stores the last object, superseding every replaced object except those this rewrite wrote (an index
     * object is named by its content, so a rewrite may store one that already existed). Only after this
     * returns may the replaced objects be deleted. Returns the ids of every object written.
     */
    public Set<BlobId> finish() {
        List<BlobId> supersedes = new ArrayList<>(replaced);
        supersedes.removeAll(written);
        written.add(repo.saveUnpacked(ObjectKind.INDEX, new IndexFile(supersedes, pending).encode()));
        pending.clear();
        return Set.copyOf(written);
    }
}
