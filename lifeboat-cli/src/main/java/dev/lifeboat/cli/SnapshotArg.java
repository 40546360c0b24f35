package dev.lifeboat.cli;

import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;

/** Resolves a snapshot argument: an id prefix, or 'latest' (of a type when one is given). */
final class SnapshotArg {
    private SnapshotArg() {
    }

    static SnapshotRef resolve(Repository repo, String spec, String type) {
        return resolve(repo, spec, type, null);
    }

    /** Like {@link #resolve(Repository, String, String)}, also filtering by source (a database name). */
    static SnapshotRef resolve(Repository repo, String spec, String type, String source) {
        String description = (type == null ? "" : " of type '" + type + "'")
                + (source == null ? "" : " of source '" + source + "'");
        return new SnapshotStore(repo).resolve(spec, r -> (type == null || type.equals(r.snapshot().type()))
                && (source == null || source.equals(r.snapshot().source())), description);
    }
}
