package dev.lifeboat.cli;

import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;

/** Resolves a snapshot argument: an id prefix, or 'latest' (of a type when one is given). */
final class SnapshotArg {
    private SnapshotArg() {
    }

    static SnapshotRef resolve(Repository repo, String spec, String type) {
        return new SnapshotStore(repo).resolve(spec, r -> type == null || type.equals(r.snapshot().type()),
                type == null ? "" : " of type '" + type + "'");
    }
}
