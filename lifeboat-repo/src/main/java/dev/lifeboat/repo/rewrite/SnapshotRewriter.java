package dev.lifeboat.repo.rewrite;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeWriter;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Replaces snapshots: the new snapshot object is stored first, then the original is deleted, so a crash
 * leaves both (never neither). Snapshots are named by the hash of their content, so a change of tags or
 * tree gives a new id.
 */
public final class SnapshotRewriter {
    private final Repository repo;
    private final SnapshotStore store;

    public SnapshotRewriter(Repository repo) {
        this.repo = repo;
        this.store = new SnapshotStore(repo);
    }

    /** The result of a rewrite: the replacement (null when nothing changed) and the paths left out. */
    public record Outcome(SnapshotRef original, SnapshotRef replacement, List<String> removed) {
    }

    /** The snapshot with tags added and removed (kept in first-seen order). */
    public static Snapshot withTags(Snapshot s, List<String> add, List<String> remove) {
        Set<String> tags = new LinkedHashSet<>(s.tags());
        tags.addAll(add);
        tags.removeAll(remove);
        return new Snapshot(s.version(), s.time(), s.type(), s.source(), s.hostname(), s.username(), s.paths(),
                List.copyOf(tags), s.excludes(), s.parent(), s.tree(), s.summary(), s.details(), s.appVersion());
    }

    /**
     * Stores {@code updated} in place of {@code original}: new object first, then the old one is deleted.
     * An unchanged snapshot is left as it is (sealing is randomized, so storing it again would change its id).
     */
    public SnapshotRef replace(SnapshotRef original, Snapshot updated) {
        if (updated.equals(original.snapshot())) {
            return original;
        }
        SnapshotRef saved = store.save(updated);
        if (!saved.id().equals(original.id())) {
            repo.backend().delete(new ObjectName(ObjectKind.SNAPSHOT, original.id().hex()));
        }
        return saved;
    }

    /**
     * Rewrites a snapshot without the nodes {@code drop} accepts (a dropped directory takes its whole
     * subtree with it), adding {@code tags}. When no node is dropped the snapshot is left as it is.
     */
    public Outcome rewrite(SnapshotRef ref, Iterable<Node> nodes, Predicate<Node> drop, List<String> tags) {
        List<String> removed = new ArrayList<>();
        List<BlobId> tree;
        try (RepoWriter writer = new RepoWriter(repo, 2)) {
            TreeWriter out = new TreeWriter(writer, repo.config().chunker().forTrees());
            String droppedDir = null;
            for (Node n : nodes) {
                if (droppedDir != null && n.path().startsWith(droppedDir + "/")) {
                    removed.add(n.path());
                    continue;
                }
                droppedDir = null;
                if (drop.test(n)) {
                    removed.add(n.path());
                    if (n.type() == NodeType.DIR) {
                        droppedDir = n.path();
                    }
                    continue;
                }
                out.add(n);
            }
            tree = out.finish();
            if (removed.isEmpty()) {
                return new Outcome(ref, null, List.of());
            }
            writer.flush();
        }
        Snapshot s = withTags(ref.snapshot(), tags, List.of());
        Snapshot updated = new Snapshot(s.version(), s.time(), s.type(), s.source(), s.hostname(), s.username(),
                s.paths(), s.tags(), s.excludes(), s.parent(), tree, s.summary(), s.details(), s.appVersion());
        return new Outcome(ref, replace(ref, updated), List.copyOf(removed));
    }
}
