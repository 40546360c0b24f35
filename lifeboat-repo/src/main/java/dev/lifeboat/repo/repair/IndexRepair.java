package dev.lifeboat.repo.repair;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectInfo;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.index.IndexRewrite;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.pack.PackHeader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds the index from the packs' own headers. New index objects are written first, the last one
 * superseding every index object that existed before; then the old ones are deleted (the write order of
 * prune). A pack whose header cannot be read is reported and left out: its blobs are lost. The caller
 * holds an exclusive lock.
 */
public final class IndexRepair {
    private final Repository repo;
    private final Progress progress;

    public IndexRepair(Repository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    /** What the repair did. */
    public record Result(int packs, long blobs, Map<String, String> damagedPacks, int indexObjectsWritten,
                         int indexObjectsDeleted) {
    }

    public Result run() {
        List<BlobId> oldIndexes = repo.listIds(ObjectKind.INDEX);
        List<ObjectInfo> packs = new ArrayList<>();
        repo.backend().list(ObjectKind.DATA, packs::add);
        packs.sort(java.util.Comparator.comparing(i -> i.name().name()));
        Map<String, String> damaged = new LinkedHashMap<>();
        IndexRewrite rewrite = new IndexRewrite(repo, oldIndexes);
        int good = 0;
        long blobs = 0;
        progress.start("read pack headers", packs.size(), Progress.Unit.ITEMS);
        for (ObjectInfo info : packs) {
            BlobId packId;
            try {
                packId = BlobId.parse(info.name().name());
            } catch (IllegalArgumentException e) {
                progress.advance(1);
                continue;
            }
            try {
                List<PackEntry> entries = PackHeader.read(repo.backend(), info.name(), repo.key(), info.size());
                rewrite.add(packId, entries);
                blobs += entries.size();
                good++;
            } catch (LifeboatException e) {
                damaged.put(packId.hex(), e.getMessage());
            }
            progress.advance(1);
        }
        progress.finish();
        Set<BlobId> written = rewrite.finish();
        int deleted = 0;
        for (BlobId id : oldIndexes) {
            if (!written.contains(id)) {
                repo.backend().delete(new ObjectName(ObjectKind.INDEX, id.hex()));
                deleted++;
            }
        }
        repo.reloadIndex();
        return new Result(good, blobs, damaged, written.size(), deleted);
    }
}
