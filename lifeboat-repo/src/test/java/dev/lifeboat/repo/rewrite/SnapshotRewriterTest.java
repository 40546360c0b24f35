package dev.lifeboat.repo.rewrite;

import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBackups;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeReader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotRewriterTest {
    private final Repository repo = TestRepositories.init(new MemoryBackend());

    @Test
    void droppingADirectoryDropsItsSubtreeAndReplacesTheSnapshot() {
        SortedMap<String, byte[]> files = TestBackups.files(1, 2, 1000);
        SnapshotRef ref = TestBackups.backup(repo, files, "x");
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node("a", NodeType.DIR, 0755, null, null, null, null, 0, 0, null, null, null, null, null, null));
        for (Node n : TreeReader.nodes(repo, ref.snapshot())) {
            nodes.add(new Node("a/" + n.path(), n.type(), n.mode(), null, null, null, null, 0, n.size(), null,
                    n.content(), null, null, null, null));
        }
        nodes.add(new Node("b", NodeType.FILE, 0644, null, null, null, null, 0, 0, null, List.of(), null, null, null,
                null));
        var outcome = new SnapshotRewriter(repo).rewrite(ref, nodes, n -> n.path().equals("a"), List.of("rewritten"));
        assertThat(outcome.removed()).containsExactly("a", "a/file0", "a/file1");
        List<String> left = new ArrayList<>();
        TreeReader.nodes(repo, outcome.replacement().snapshot()).forEach(n -> left.add(n.path()));
        assertThat(left).containsExactly("b");
        assertThat(outcome.replacement().snapshot().tags()).containsExactly("x", "rewritten");
        assertThat(new SnapshotStore(repo).list()).extracting(SnapshotRef::id)
                .containsExactly(outcome.replacement().id());
    }

    @Test
    void nothingToDropLeavesTheSnapshotAlone() {
        SnapshotRef ref = TestBackups.backup(repo, TestBackups.files(2, 2, 1000), "x");
        var outcome = new SnapshotRewriter(repo).rewrite(ref, TreeReader.nodes(repo, ref.snapshot()), n -> false,
                List.of("rewritten"));
        assertThat(outcome.replacement()).isNull();
        assertThat(new SnapshotStore(repo).list()).extracting(SnapshotRef::id).containsExactly(ref.id());
    }

    @Test
    void unchangedTagsKeepTheSnapshotAndItsId() {
        SnapshotRef ref = TestBackups.backup(repo, TestBackups.files(3, 1, 1000), "x");
        SnapshotRewriter rewriter = new SnapshotRewriter(repo);
        SnapshotRef same = rewriter.replace(ref, SnapshotRewriter.withTags(ref.snapshot(), List.of("x"), List.of()));
        assertThat(same.id()).isEqualTo(ref.id());
        assertThat(new SnapshotStore(repo).list()).extracting(SnapshotRef::id).containsExactly(ref.id());
        SnapshotRef pinned = rewriter.replace(ref, SnapshotRewriter.withTags(ref.snapshot(), List.of("pinned"),
                List.of("x")));
        assertThat(pinned.snapshot().tags()).containsExactly("pinned");
        assertThat(new SnapshotStore(repo).list()).extracting(SnapshotRef::id).containsExactly(pinned.id());
    }
}
