package dev.lifeboat.engine.wal;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.wal.WalStore;

import java.util.List;
import java.util.TreeSet;

/**
 * Which PostgreSQL clusters a repository belongs to: those it holds WAL or physical base backups of. WAL of
 * another cluster is refused unless the caller says a new cluster is meant (the database was re-created).
 */
final class WalClusters {
    private WalClusters() {
    }

    /**
     * Refuses WAL of cluster {@code systemId} when the repository already serves other clusters and none of
     * them is this one.
     *
     * @param source     where the WAL comes from, for the message
     * @param newCluster the user said this cluster is new to the repository
     */
    static void check(Repository repo, WalStore store, String systemId, String source, boolean newCluster) {
        TreeSet<String> known = new TreeSet<>(store.clusters());
        if (known.contains(systemId)) {
            return;
        }
        known.addAll(PhysicalBackups.of(repo).clusters());
        if (known.isEmpty() || known.contains(systemId) || newCluster) {
            return;
        }
        throw new LifeboatException(ErrorCode.CLUSTER_MISMATCH, source + " belongs to cluster " + systemId
                + ", but the repository holds WAL and backups of " + describe(List.copyOf(known)),
                "check the connection or the data directory; if the database cluster was re-created (initdb), pass "
                        + "--new-cluster to keep its WAL in this repository too");
    }

    private static String describe(List<String> clusters) {
        return clusters.size() == 1 ? "cluster " + clusters.get(0) : "clusters " + String.join(", ", clusters);
    }
}
