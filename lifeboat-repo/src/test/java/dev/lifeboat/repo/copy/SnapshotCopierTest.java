package dev.lifeboat.repo.copy;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBackups;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.check.Checker;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Copies between two repositories with different keys; a subclass runs them with an S3 destination. */
public class SnapshotCopierTest {
    protected Repository source;
    protected Repository destination;

    /** The destination's storage, empty. */
    protected Backend destinationStorage() throws Exception {
        return new MemoryBackend();
    }

    @BeforeEach
    void repositories() throws Exception {
        source = TestRepositories.init(new MemoryBackend(), TestRepositories.smallPacks());
        destination = TestRepositories.init(destinationStorage(), TestRepositories.smallPacks());
    }

    @Test
    public void aCopyRestoresExactlyWhatTheSourceSnapshotHolds() {
        SortedMap<String, byte[]> files = TestBackups.files(1, 5, 300_000);
        SnapshotRef original = TestBackups.backup(source, files, "nightly");

        List<SnapshotCopier.Outcome> outcomes = new SnapshotCopier(source, destination, Progress.NONE)
                .copy(List.of(original));

        SnapshotRef copy = new SnapshotStore(destination).list().get(0);
        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.skipped()).isFalse();
            assertThat(o.copy()).isEqualTo(copy.id());
        });
        assertThat(copy.snapshot().tags()).containsExactly("nightly");
        assertThat(copy.snapshot().time()).isEqualTo(original.snapshot().time());
        assertThat(copy.snapshot().details().get("copiedFrom").get("snapshot").asText()).isEqualTo(original.id().hex());
        assertThat(TestBackups.restore(destination, copy.snapshot())).containsExactlyEntriesOf(files);
        assertThat(new Checker(destination, Progress.NONE).run(1.0).errors()).isEmpty();
    }

    @Test
    public void blobIdsAreRecomputedWithTheDestinationKey() {
        SnapshotRef original = TestBackups.backup(source, TestBackups.files(1, 2, 1000), "t");

        new SnapshotCopier(source, destination, Progress.NONE).copy(List.of(original));

        BlobId sourceId = firstBlob(source, original);
        BlobId copyId = firstBlob(destination, new SnapshotStore(destination).list().get(0));
        assertThat(copyId).isNotEqualTo(sourceId);
        assertThat(destination.index().contains(sourceId)).isFalse();
        assertThat(destination.loadBlob(copyId)).isEqualTo(source.loadBlob(sourceId));
    }

    private static BlobId firstBlob(Repository repo, SnapshotRef s) {
        return TreeReader.nodes(repo, s.snapshot()).iterator().next().content().get(0);
    }

    @Test
    public void aSnapshotAlreadyCopiedIsSkippedAndSharedBlobsAreNotStoredTwice() {
        SnapshotRef first = TestBackups.backup(source, TestBackups.files(1, 6, 200_000), "first");
        SnapshotRef second = TestBackups.backup(source, TestBackups.files(2, 6, 200_000), "second");
        SnapshotCopier copier = new SnapshotCopier(source, destination, Progress.NONE);
        SnapshotCopier.Outcome firstCopy = copier.copy(List.of(first)).get(0);

        List<SnapshotCopier.Outcome> again = new SnapshotCopier(source, destination, Progress.NONE)
                .copy(List.of(first, second));

        assertThat(again.get(0).skipped()).isTrue();
        assertThat(again.get(0).copy()).isEqualTo(firstCopy.copy());
        assertThat(again.get(1).skipped()).isFalse();
        assertThat(again.get(1).newBlobs()).as("a third of the files are shared").isLessThan(firstCopy.newBlobs());
        assertThat(destination.listIds(ObjectKind.SNAPSHOT)).hasSize(2);
    }
}
