package dev.lifeboat.engine.wal;

import dev.lifeboat.postgres.wal.TimelineHistory;
import dev.lifeboat.postgres.wal.WalSegmentName;
import dev.lifeboat.postgres.wal.WalSink;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.wal.WalStore;

import java.util.List;

/**
 * Streamed WAL into the repository: each complete segment and history file as its own object, the segment
 * being filled as its partial object. Every call returns once the backend has stored the object durably (the
 * local backend flushes the file and its folder; S3 acknowledges a PUT only once stored).
 */
public final class RepositoryWalSink implements WalSink {
    private final Repository repo;
    private final WalStore store;
    private final String source;
    private final boolean newCluster;

    /**
     * @param source     the server streamed from, for messages
     * @param newCluster accept a cluster the repository holds no WAL or backups of even when it holds others'
     */
    public RepositoryWalSink(Repository repo, String source, boolean newCluster) {
        this.repo = repo;
        this.store = new WalStore(repo);
        this.source = source;
        this.newCluster = newCluster;
    }

    @Override
    public List<String> open(String systemId) {
        WalClusters.check(repo, store, systemId, "the server at '" + source + "'", newCluster);
        return store.list(systemId);
    }

    @Override
    public void segment(String systemId, WalSegmentName name, byte[] content) {
        store.put(systemId, name.toString(), content);
        store.deletePartial(systemId, name.toString());
    }

    @Override
    public void partial(String systemId, WalSegmentName name, byte[] content) {
        store.putPartial(systemId, name.toString(), content);
    }

    @Override
    public void history(String systemId, int timeline, byte[] content) {
        store.put(systemId, TimelineHistory.fileName(timeline), content);
    }
}
