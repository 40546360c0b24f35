package dev.lifeboat.repo.repair;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.rewrite.SnapshotRewriter;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.PathOrder;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeWriter;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rewrites snapshots that name missing data: files with a missing content blob are removed (a file with
 * a hole would restore silently wrong), and the records of a missing tree blob are lost with it. Each
 * repaired snapshot gets the tag {@value #TAG} and replaces the original; the report names every file
 * removed. Run {@code repair index} first so that blobs that exist are indexed.
 */
public final class SnapshotRepair {
    public static final String TAG = "repaired";
    private final Repository repo;

    public SnapshotRepair(Repository repo) {
        this.repo = repo;
    }

    /** One snapshot's repair: the replacement (null in a dry run), removed files, and tree blobs lost. */
    public record Repaired(SnapshotRef original, SnapshotRef replacement, List<String> removedFiles,
                           List<String> lostTreeBlobs) {
    }

    /** Repairs every snapshot that needs it; returns those (replacement null when {@code dryRun}). */
    public List<Repaired> run(boolean dryRun) {
        repo.reloadIndex();
        BlobIndex index = repo.index();
        List<Repaired> out = new ArrayList<>();
        for (SnapshotRef ref : new SnapshotStore(repo).list()) {
            List<String> lostTrees = new ArrayList<>();
            List<Node> nodes = readTolerant(ref, index, lostTrees);
            List<String> removed = new ArrayList<>();
            for (Node n : nodes) {
                if (n.content() != null && n.content().stream().anyMatch(id -> !index.contains(id))) {
                    removed.add(n.path());
                }
            }
            if (removed.isEmpty() && lostTrees.isEmpty()) {
                continue;
            }
            SnapshotRef replacement = null;
            if (!dryRun) {
                var outcome = new SnapshotRewriter(repo).rewrite(ref, nodes, n -> removed.contains(n.path()),
                        List.of(TAG));
                replacement = outcome.replacement() != null ? outcome.replacement()
                        : new SnapshotRewriter(repo).replace(ref, SnapshotRewriter.withTags(
                                withTree(ref, nodes), List.of(TAG), List.of()));
            }
            out.add(new Repaired(ref, replacement, removed, lostTrees));
        }
        return out;
    }

    /** The snapshot with a tree written from the given nodes (used when only tree blobs were lost). */
    private Snapshot withTree(SnapshotRef ref, List<Node> nodes) {
        Snapshot s = ref.snapshot();
        List<BlobId> tree;
        try (RepoWriter writer = new RepoWriter(repo, 2)) {
            TreeWriter tw = new TreeWriter(writer, repo.config().chunker().forTrees());
            nodes.forEach(tw::add);
            tree = tw.finish();
            writer.flush();
        }
        return new Snapshot(s.version(), s.time(), s.type(), s.source(), s.hostname(),
                s.username(), s.paths(), s.tags(), s.excludes(), s.parent(), tree, s.summary(), s.details(),
                s.appVersion());
    }

    /**
     * The nodes of a snapshot that can still be read: a missing tree blob loses the records it holds and the
     * records cut at its edges; records out of order or unparseable are dropped too.
     */
    private List<Node> readTolerant(SnapshotRef ref, BlobIndex index, List<String> lostTrees) {
        List<Node> nodes = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean skipToNewline = false;
        String last = null;
        for (BlobId id : ref.snapshot().tree()) {
            byte[] blob;
            try {
                blob = index.contains(id) ? repo.loadBlob(id) : null;
            } catch (LifeboatException e) {
                blob = null;
            }
            if (blob == null) {
                lostTrees.add(id.hex());
                line.reset();
                skipToNewline = true;
                continue;
            }
            int start = 0;
            for (int i = 0; i < blob.length; i++) {
                if (blob[i] != '\n') {
                    continue;
                }
                if (skipToNewline) {
                    skipToNewline = false;
                } else {
                    line.write(blob, start, i - start);
                    Node n = parse(line.toByteArray());
                    if (n != null && (last == null || PathOrder.INSTANCE.compare(last, n.path()) < 0)) {
                        nodes.add(n);
                        last = n.path();
                    }
                }
                line.reset();
                start = i + 1;
            }
            if (!skipToNewline) {
                line.write(blob, start, blob.length - start);
            }
        }
        return nodes;
    }

    private static Node parse(byte[] record) {
        try {
            return Json.read(Arrays.copyOf(record, record.length), Node.class, "tree record");
        } catch (LifeboatException | IllegalArgumentException e) {
            return null;
        }
    }
}
