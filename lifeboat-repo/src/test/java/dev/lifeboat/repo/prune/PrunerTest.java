package dev.lifeboat.repo.prune;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBackups;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.ForwardingBackend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.check.Checker;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.index.IndexFile;
import dev.lifeboat.repo.pack.BlobCodec;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.pack.PackWriter;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.TreeReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

class PrunerTest {
    private static final Pruner.Options ALL = new Pruner.Options(false, 0, Long.MAX_VALUE);
    private static MemoryBackend template;
    private static Map<SnapshotRef, SortedMap<String, byte[]>> expected;

    @BeforeAll
    static void populate() {
        template = new MemoryBackend();
        Repository repo = TestRepositories.init(template, TestRepositories.smallPacks());
        expected = PruneFixtures.populate(repo);
    }

    private static Repository fresh() {
        return TestRepositories.open(PruneFixtures.copy(template));
    }

    @Test
    void pruneRemovesWhatNoSnapshotNeedsAndKeepsEverySnapshotIntact() {
        Repository repo = fresh();
        int before = PruneFixtures.names(repo.backend(), ObjectKind.DATA).size();
        Pruner.Result r = new Pruner(repo, Progress.NONE).run(ALL);
        assertThat(r.plan().packsToDelete() + r.plan().packsToRepack()).isPositive();
        assertThat(r.plan().unindexedPacks()).isEqualTo(1);
        assertThat(PruneFixtures.names(repo.backend(), ObjectKind.DATA).size()).isLessThan(before);
        PruneFixtures.assertIntact(repo, expected);
        assertFullyPruned(repo);
    }

    /**
     * Forgetting every snapshot leaves prune nothing to keep: its last index object only supersedes the old
     * ones, and the repository must open afterwards (it once could not with five or more index objects).
     */
    @Test
    void pruneAfterForgettingEverySnapshotLeavesARepositoryThatOpens() {
        Repository repo = fresh();
        for (int i = 0; PruneFixtures.names(repo.backend(), ObjectKind.INDEX).size() < 6; i++) {
            TestBackups.backup(repo, TestBackups.files(10 + i, 2, 50_000), "more");
        }
        for (String snapshot : PruneFixtures.names(repo.backend(), ObjectKind.SNAPSHOT)) {
            repo.backend().delete(new ObjectName(ObjectKind.SNAPSHOT, snapshot));
        }

        new Pruner(repo, Progress.NONE).run(ALL);

        Repository reopened = TestRepositories.open(repo.backend());
        assertThat(reopened.index().size()).isZero();
        assertThat(PruneFixtures.names(repo.backend(), ObjectKind.DATA)).isEmpty();
        assertThat(PruneFixtures.names(repo.backend(), ObjectKind.INDEX)).hasSize(1);
        assertThat(new Checker(reopened, Progress.NONE).run(0).errors()).isEmpty();
    }

    @Test
    void dryRunChangesNothing() {
        Repository repo = fresh();
        List<String> packs = PruneFixtures.names(repo.backend(), ObjectKind.DATA);
        List<String> indexes = PruneFixtures.names(repo.backend(), ObjectKind.INDEX);
        Pruner.Result r = new Pruner(repo, Progress.NONE).run(new Pruner.Options(true, 0, Long.MAX_VALUE));
        assertThat(r.plan().bytesToFree()).isPositive();
        assertThat(r.plan().walToDelete()).isEqualTo(2);
        assertThat(PruneFixtures.names(repo.backend(), ObjectKind.DATA)).isEqualTo(packs);
        assertThat(PruneFixtures.names(repo.backend(), ObjectKind.INDEX)).isEqualTo(indexes);
    }

    @Test
    void walBeforeTheOldestPhysicalBackupGoesAndHistoryAndOtherClustersStay() {
        Repository repo = fresh();
        new Pruner(repo, Progress.NONE).run(ALL);
        assertThat(PruneFixtures.names(repo.backend(), ObjectKind.WAL)).containsExactly(
                PruneFixtures.SYSID + "-000000010000000000000003", PruneFixtures.SYSID + "-000000010000000000000004",
                PruneFixtures.SYSID + "-00000002.history", "999-000000010000000000000001");
    }

    @Test
    void toleratedUnusedSpaceLeavesPartlyUsedPacksAlone() {
        Repository repo = fresh();
        Pruner.Result r = new Pruner(repo, Progress.NONE).run(new Pruner.Options(true, 1, Long.MAX_VALUE));
        assertThat(r.plan().packsToRepack()).isZero();
        Pruner.Result limited = new Pruner(repo, Progress.NONE).run(new Pruner.Options(true, 0, 0));
        assertThat(limited.plan().packsToRepack()).isZero();
    }

    @Test
    void pruneRefusesARepositoryWithMissingDataAndDeletesNothing() {
        Repository repo = fresh();
        SnapshotRef kept = expected.keySet().iterator().next();
        BlobId pack = repo.index().lookup(kept.snapshot().tree().get(0)).pack();
        repo.backend().delete(new ObjectName(ObjectKind.DATA, pack.hex()));
        List<String> indexes = PruneFixtures.names(repo.backend(), ObjectKind.INDEX);
        List<String> packs = PruneFixtures.names(repo.backend(), ObjectKind.DATA);
        assertThat(((LifeboatException) org.assertj.core.api.Assertions.catchThrowable(
                () -> new Pruner(repo, Progress.NONE).run(ALL))).code()).isEqualTo(ErrorCode.INTEGRITY);
        assertThat(PruneFixtures.names(repo.backend(), ObjectKind.INDEX)).isEqualTo(indexes);
        assertThat(PruneFixtures.names(repo.backend(), ObjectKind.DATA)).isEqualTo(packs);
    }

    @Test
    void aBlobStoredInTwoPacksKeepsExactlyOneCopy() {
        Repository repo = fresh();
        BlobId blob = firstContentBlob(repo);
        storeInNewPack(repo, blob, blob);

        new Pruner(repo, Progress.NONE).run(ALL);

        PruneFixtures.assertIntact(repo, expected);
        assertThat(indexEntries(repo, blob)).isEqualTo(1);
        assertFullyPruned(repo);
    }

    @Test
    void anUnusedBlobSharingItsIdPrefixWithAUsedOneNeverCostsTheUsedOne() {
        Repository repo = fresh();
        BlobId blob = firstContentBlob(repo);
        BlobId lookalike = new BlobId(blob.a(), ~blob.b(), blob.c(), blob.d());
        storeInNewPack(repo, blob, lookalike);

        new Pruner(repo, Progress.NONE).run(ALL);

        repo.reloadIndex();
        PruneFixtures.assertRestores(repo, expected);
        assertThat(indexEntries(repo, blob)).isEqualTo(1);
        assertThat(indexEntries(repo, lookalike)).as("kept: prune cannot tell it from the used blob").isEqualTo(1);
    }

    private static BlobId firstContentBlob(Repository repo) {
        for (Node n : TreeReader.nodes(repo, expected.keySet().iterator().next().snapshot())) {
            if (n.content() != null && !n.content().isEmpty()) {
                return n.content().get(0);
            }
        }
        throw new AssertionError("no file with content");
    }

    /** Stores the sealed bytes of {@code blob} under the id {@code as} in a pack and index object of their own. */
    private static void storeInNewPack(Repository repo, BlobId blob, BlobId as) {
        BlobIndex.Location at = repo.index().lookup(blob);
        PackEntry e = at.entry();
        byte[] sealed = repo.backend().getRange(new ObjectName(ObjectKind.DATA, at.pack().hex()), e.offset(), e.length());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PackWriter pack = new PackWriter(bytes);
        pack.add(as, e.type(), new BlobCodec.Encoded(sealed, e.compressed(), e.rawLength()));
        BlobId packId = pack.finish(repo.key());
        repo.backend().put(new ObjectName(ObjectKind.DATA, packId.hex()), bytes.toByteArray());
        repo.saveUnpacked(ObjectKind.INDEX, new IndexFile(List.of(), Map.of(packId, pack.entries())).encode());
        repo.reloadIndex();
    }

    /** How many index entries of the live index objects name a blob. */
    private static int indexEntries(Repository repo, BlobId blob) {
        repo.reloadIndex();
        AtomicInteger n = new AtomicInteger();
        repo.forEachIndexFile(repo.indexIds(), (id, file) -> {
            file.packs().values().forEach(l -> l.forEach(e -> n.addAndGet(e.id().equals(blob) ? 1 : 0)));
            return true;
        }, Set.of(), null);
        return n.get();
    }

    @Test
    void invalidOptionsAreRefused() {
        assertFails(() -> new Pruner.Options(false, -0.1, 0), ErrorCode.USAGE);
        assertFails(() -> new Pruner.Options(false, 0, -1), ErrorCode.USAGE);
    }

    /** Fails the n-th write or delete, before or after the storage did it (a crash, or a lost response). */
    static final class Crash extends ForwardingBackend {
        private final AtomicInteger left;
        private final boolean after;

        Crash(Backend delegate, int n, boolean after) {
            super(delegate);
            this.left = new AtomicInteger(n);
            this.after = after;
        }

        private void tick(Runnable op) {
            if (left.getAndDecrement() == 0) {
                if (after) {
                    op.run();
                }
                throw new IllegalStateException("crash");
            }
            op.run();
        }

        @Override
        public void put(ObjectName name, byte[] data) {
            tick(() -> delegate.put(name, data));
        }

        @Override
        public void delete(ObjectName name) {
            tick(() -> delegate.delete(name));
        }
    }

    @Test
    void aPruneCrashingAtAnyStepLosesNothingAndTheNextPruneFinishes() {
        Backend counted = PruneFixtures.copy(template);
        AtomicInteger mutations = new AtomicInteger();
        Backend counting = new ForwardingBackend(counted) {
            @Override
            public void put(ObjectName name, byte[] data) {
                mutations.incrementAndGet();
                super.put(name, data);
            }

            @Override
            public void delete(ObjectName name) {
                mutations.incrementAndGet();
                super.delete(name);
            }
        };
        new Pruner(TestRepositories.open(counting), Progress.NONE).run(ALL);
        int steps = mutations.get();
        assertThat(steps).isGreaterThan(5);
        for (boolean after : new boolean[] {false, true}) {
            for (int n = 0; n < steps; n++) {
                MemoryBackend storage = PruneFixtures.copy(template);
                Repository crashing = TestRepositories.open(new Crash(storage, n, after));
                assertThat(org.assertj.core.api.Assertions.catchThrowable(
                        () -> new Pruner(crashing, Progress.NONE).run(ALL))).as("crash at %d", n).isNotNull();
                Repository afterCrash = TestRepositories.open(storage);
                PruneFixtures.assertIntact(afterCrash, expected);
                new Pruner(afterCrash, Progress.NONE).run(ALL);
                PruneFixtures.assertIntact(afterCrash, expected);
                assertFullyPruned(afterCrash);
            }
        }
    }

    /** Nothing is left to remove: no unused or unindexed pack, no superseded index, no unneeded WAL. */
    private static void assertFullyPruned(Repository repo) {
        Pruner.Plan again = new Pruner(repo, Progress.NONE).run(new Pruner.Options(true, 0, Long.MAX_VALUE)).plan();
        assertThat(again.packsToDelete()).isZero();
        assertThat(again.packsToRepack()).isZero();
        assertThat(again.unindexedPacks()).isZero();
        assertThat(again.indexObjectsToReplace()).isZero();
        assertThat(again.walToDelete()).isZero();
        assertThat(new Checker(repo, Progress.NONE).run(0).warnings()).isEmpty();
    }
}
