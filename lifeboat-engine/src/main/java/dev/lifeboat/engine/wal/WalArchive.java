package dev.lifeboat.engine.wal;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.wal.WalFile;
import dev.lifeboat.postgres.wal.WalSegmentName;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectNotFoundException;
import dev.lifeboat.repo.wal.WalStore;

import java.util.List;

/**
 * What archive_command and restore_command do with the repository: store a WAL file the server archived
 * after checking it against its name and cluster, and hand back a stored file.
 */
public final class WalArchive {
    private final Repository repo;
    private final WalStore store;

    public WalArchive(Repository repo) {
        this.repo = repo;
        this.store = new WalStore(repo);
    }

    /** What pushing did with a file. */
    public enum Outcome {
        /** Stored now. */
        STORED,
        /** The repository already held the same content. */
        ALREADY_STORED,
        /** Not kept: a backup history file, which recovery never asks for. */
        SKIPPED
    }

    /** The result of a push: the cluster the file was stored for, and what happened. */
    public record Pushed(String systemId, String file, Outcome outcome) {
    }

    /**
     * Checks a file the server archived and stores it. A segment names its cluster in its first page; a
     * history file does not, so its cluster comes from the data directory, or is the only cluster the
     * repository holds.
     *
     * @param dataDirSystemId the system identifier of the data directory the command runs in, or null
     * @param newCluster      accept a cluster the repository holds nothing of even when it holds other clusters
     * @throws LifeboatException INTEGRITY when the content does not match the name or the repository holds
     *                           different content under the name; CLUSTER_MISMATCH for another cluster's WAL
     */
    public Pushed push(String fileName, byte[] content, String dataDirSystemId, boolean newCluster) {
        WalFile file = WalFile.of(fileName);
        String fromHeader = file.check(content);
        if (file.kind() == WalFile.Kind.BACKUP) {
            return new Pushed(dataDirSystemId, fileName, Outcome.SKIPPED);
        }
        if (fromHeader != null && dataDirSystemId != null && !fromHeader.equals(dataDirSystemId)) {
            throw new LifeboatException(ErrorCode.CLUSTER_MISMATCH, "WAL file '" + fileName + "' belongs to cluster "
                    + fromHeader + ", but the data directory is of cluster " + dataDirSystemId,
                    "archive_command must archive the server's own pg_wal files");
        }
        String sysid = fromHeader != null ? fromHeader : dataDirSystemId != null ? dataDirSystemId : onlyCluster(fileName);
        if (!knownCheaply(sysid, file, content.length)) {
            WalClusters.check(repo, store, sysid, "WAL file '" + fileName + "'", newCluster);
        }
        return new Pushed(sysid, fileName, switch (file.kind()) {
            case PARTIAL -> {
                store.putPartial(sysid, file.segmentName(), content);
                yield Outcome.STORED;
            }
            default -> store.put(sysid, fileName, content) == WalStore.Stored.NEW ? Outcome.STORED
                    : Outcome.ALREADY_STORED;
        });
    }

    /** Whether the repository already holds this file or the segment before it: then the cluster is known. */
    private boolean knownCheaply(String sysid, WalFile file, long segmentSize) {
        if (store.exists(sysid, file.name())) {
            return true;
        }
        if (file.kind() == WalFile.Kind.HISTORY) {
            return false;
        }
        WalSegmentName seg = WalSegmentName.parse(file.segmentName(), segmentSize);
        return seg.segment() > 0 && store.exists(sysid,
                new WalSegmentName(seg.timeline(), seg.segment() - 1, seg.segmentSize()).toString());
    }

    /**
     * The content of a complete segment or a history file. A partial segment is never handed out as the
     * segment: recovery must not take a segment's beginning for all of it.
     *
     * @param dataDirSystemId the cluster: the system identifier of the data directory being recovered, or null
     *                        for the only cluster the repository holds
     * @throws LifeboatException NOT_FOUND when the repository does not hold the file
     */
    public byte[] fetch(String dataDirSystemId, String fileName) {
        WalFile file = WalFile.of(fileName);
        String systemId = dataDirSystemId != null ? dataDirSystemId : onlyCluster(fileName);
        if (file.kind() != WalFile.Kind.SEGMENT && file.kind() != WalFile.Kind.HISTORY) {
            throw notFound(systemId, fileName);
        }
        try {
            return store.get(systemId, fileName);
        } catch (ObjectNotFoundException e) {
            throw notFound(systemId, fileName);
        }
    }

    private static LifeboatException notFound(String systemId, String fileName) {
        return new LifeboatException(ErrorCode.NOT_FOUND, "the repository has no WAL file '" + fileName
                + "' of cluster " + systemId);
    }

    /** The cluster a file without its own identity belongs to, when the repository holds exactly one. */
    private String onlyCluster(String fileName) {
        List<String> clusters = store.clusters();
        if (clusters.size() == 1) {
            return clusters.get(0);
        }
        throw LifeboatException.usage("cannot tell which cluster '" + fileName + "' belongs to (the repository holds "
                        + (clusters.isEmpty() ? "no WAL yet" : "WAL of " + clusters.size() + " clusters") + ")",
                "run the command in the server's data directory (archive_command and restore_command do), or pass "
                        + "--system-id");
    }
}
