package dev.lifeboat.repo.snapshot;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBytes;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.chunker.ChunkerParams;
import dev.lifeboat.repo.pack.BlobType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TreeWriter and TreeReader together: a tree stream written into a repository reads back node by node. */
class TreeStreamTest {
    private static MemoryBackend backend;
    private static Repository repo;
    private RepoWriter writer;
    private ChunkerParams treeParams;

    @BeforeAll
    static void initRepository() {
        backend = new MemoryBackend();
        repo = TestRepositories.init(backend);
    }

    @BeforeEach
    void openWriter() {
        writer = new RepoWriter(repo, 2);
        treeParams = repo.config().chunker().forTrees();
    }

    @AfterEach
    void closeWriter() {
        writer.close();
    }

    /** Ten thousand nodes in 100 folders, in path order. */
    static List<Node> tenThousandNodes(long seed) {
        List<Node> nodes = new ArrayList<>();
        for (int d = 0; d < 100; d++) {
            String dir = "srv/data-%03d".formatted(d);
            nodes.add(NodeTest.dir(dir));
            for (int f = 0; f < 99; f++) {
                long n = seed + d * 100L + f;
                nodes.add(NodeTest.file(dir + "/file-%03d.bin".formatted(f), List.of(TestBytes.id(n))));
            }
        }
        nodes.add(0, NodeTest.dir("srv"));
        return nodes;
    }

    private List<BlobId> write(List<Node> nodes) {
        TreeWriter tree = new TreeWriter(writer, treeParams);
        nodes.forEach(tree::add);
        List<BlobId> blobs = tree.finish();
        writer.flush();
        return blobs;
    }

    private static List<Node> read(List<BlobId> blobs) {
        List<Node> out = new ArrayList<>();
        new TreeReader(repo, blobs).forEachRemaining(out::add);
        return out;
    }

    @Test
    void tenThousandNodesReadBackInOrder() {
        List<Node> nodes = tenThousandNodes(0);

        List<BlobId> blobs = write(nodes);

        assertThat(nodes).hasSize(10_001);
        assertThat(blobs).hasSizeGreaterThan(3);
        assertThat(read(blobs)).containsExactlyElementsOf(nodes);
    }

    @Test
    void nodesOfASnapshotAreIterable() {
        List<Node> nodes = tenThousandNodes(0).subList(0, 10);
        Snapshot snapshot = new Snapshot(1, java.time.Instant.EPOCH, "files", null, null, null, null, null, null, null,
                write(nodes), null, null, null);

        List<Node> read = new ArrayList<>();
        TreeReader.nodes(repo, snapshot).forEach(read::add);

        assertThat(read).containsExactlyElementsOf(nodes);
    }

    @Test
    void theSameTreeIsStoredOnce() {
        List<Node> nodes = tenThousandNodes(0);
        List<BlobId> first = write(nodes);
        long blobsBefore = writer.stats().newBlobs();

        List<BlobId> second = write(nodes);

        assertThat(second).isEqualTo(first);
        assertThat(writer.stats().newBlobs()).isEqualTo(blobsBefore);
    }

    @Test
    void aChangeInOneNodeRewritesFewTreeBlobs() {
        List<Node> nodes = tenThousandNodes(0);
        List<Node> changed = new ArrayList<>(nodes);
        changed.set(5000, changed.get(5000).withContent(List.of(TestBytes.id(-1))));

        Set<BlobId> before = new HashSet<>(write(nodes));
        List<BlobId> after = write(changed);

        assertThat(after.stream().filter(id -> !before.contains(id)).count()).isBetween(1L, 3L);
        assertThat(read(after)).containsExactlyElementsOf(changed);
    }

    @Test
    void anEmptyTreeHasNoBlobs() {
        List<BlobId> blobs = write(List.of());

        assertThat(blobs).isEmpty();
        TreeReader reader = new TreeReader(repo, blobs);
        assertThat(reader.hasNext()).isFalse();
        assertThatThrownBy(reader::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void nodesOutOfPathOrderAreRefused() {
        TreeWriter tree = new TreeWriter(writer, treeParams);
        tree.add(NodeTest.dir("a.b"));

        assertThatThrownBy(() -> tree.add(NodeTest.dir("a/b")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("tree nodes out of order: 'a.b' then 'a/b'");
    }

    @Test
    void theSamePathTwiceIsRefused() {
        TreeWriter tree = new TreeWriter(writer, treeParams);
        tree.add(NodeTest.dir("a"));

        assertThatThrownBy(() -> tree.add(NodeTest.dir("a")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("tree nodes out of order: 'a' then 'a'");
    }

    @Test
    void aNodeLargerThanTheMaximumChunkReadsBack() {
        List<BlobId> manyBlobs = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            manyBlobs.add(TestBytes.id(i));
        }
        List<Node> nodes = List.of(NodeTest.dir("a"), NodeTest.file("a/huge", manyBlobs), NodeTest.dir("b"));

        List<BlobId> blobs = write(nodes);

        assertThat(blobs).hasSizeGreaterThan(1);
        assertThat(read(blobs)).containsExactlyElementsOf(nodes);
    }

    @Test
    void aStreamThatEndsInsideARecordFailsWithIntegrity() {
        BlobId cut = writer.save(BlobType.TREE, "{\"path\":\"a\",\"type\":\"dir\"".getBytes(StandardCharsets.UTF_8));
        writer.flush();

        TreeReader reader = new TreeReader(repo, List.of(cut));

        assertFails(reader::hasNext, ErrorCode.INTEGRITY)
                .hasMessage("tree stream ends inside a record");
    }
}
