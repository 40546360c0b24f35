package dev.lifeboat.engine.wal;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.wal.TestWal;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.wal.WalStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalArchiveTest {
    static final long SYSID = 7_312_345_678_901_234_567L;
    static final String S = Long.toUnsignedString(SYSID);
    static final String SEG = "000000010000000000000003";
    static final byte[] HISTORY = "1\t0/3000158\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8);

    final Repository repo = TestRepositories.init(new MemoryBackend());
    final WalArchive archive = new WalArchive(repo);
    final WalStore store = new WalStore(repo);

    @Test
    void pushingTheSameSegmentTwiceSucceeds() {
        byte[] seg = TestWal.segment(SYSID, SEG);

        assertThat(archive.push(SEG, seg, null, false)).isEqualTo(new WalArchive.Pushed(S, SEG, WalArchive.Outcome.STORED));
        assertThat(archive.push(SEG, seg.clone(), null, false).outcome()).isEqualTo(WalArchive.Outcome.ALREADY_STORED);
        assertThat(store.get(S, SEG)).isEqualTo(seg);
    }

    @Test
    void pushingOtherContentUnderAStoredNameIsRefused() {
        byte[] seg = TestWal.segment(SYSID, SEG);
        archive.push(SEG, seg, null, false);
        byte[] changed = seg.clone();
        changed[20_000] ^= 1;

        assertThatThrownBy(() -> archive.push(SEG, changed, null, false)).isInstanceOfSatisfying(LifeboatException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                    assertThat(e.getMessage()).isEqualTo("the repository already holds WAL file '" + SEG + "' of cluster "
                            + S + " with different content");
                });
        assertThat(store.get(S, SEG)).isEqualTo(seg);
    }

    @Test
    void aSegmentUnderAnotherNameIsRefusedBeforeAnythingIsStored() {
        byte[] next = TestWal.segment(SYSID, "000000010000000000000004");

        assertThatThrownBy(() -> archive.push(SEG, next, null, false))
                .hasMessage("WAL file '" + SEG + "' starts with the page of 0/4000000, not of 0/3000000");
        assertThat(store.list(S)).isEmpty();
    }

    @Test
    void walOfAnotherClusterIsRefusedUnlessItIsSaidToBeNew() {
        archive.push(SEG, TestWal.segment(SYSID, SEG), null, false);
        byte[] other = TestWal.segment(42, SEG);

        assertThatThrownBy(() -> archive.push(SEG, other, null, false)).isInstanceOfSatisfying(LifeboatException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CLUSTER_MISMATCH);
                    assertThat(e.getMessage()).isEqualTo("WAL file '" + SEG + "' belongs to cluster 42, but the "
                            + "repository holds WAL and backups of cluster " + S);
                });
        assertThat(archive.push(SEG, other, null, true).systemId()).isEqualTo("42");
        assertThat(store.clusters()).containsExactly("42", S);
    }

    @Test
    void aSegmentOfAnotherClusterThanTheDataDirectoryIsRefused() {
        assertThatThrownBy(() -> archive.push(SEG, TestWal.segment(SYSID, SEG), "42", false))
                .hasMessage("WAL file '" + SEG + "' belongs to cluster " + S + ", but the data directory is of cluster 42");
    }

    @Test
    void aHistoryFileBelongsToTheDataDirectorysClusterOrTheOnlyOne() {
        assertThatThrownBy(() -> archive.push("00000002.history", HISTORY, null, false))
                .hasMessage("cannot tell which cluster '00000002.history' belongs to (the repository holds no WAL yet)");

        archive.push("00000002.history", HISTORY, S, false);
        archive.push("00000003.history", "1\t0/3000158\tx\n2\t0/4000000\ty\n".getBytes(StandardCharsets.UTF_8), null,
                false);

        assertThat(store.list(S)).containsExactly("00000002.history", "00000003.history");
    }

    @Test
    void backupHistoryFilesAreSkipped() {
        assertThat(archive.push(SEG + ".00000028.backup", "START WAL LOCATION: 0/3000028".getBytes(), S, false)
                .outcome()).isEqualTo(WalArchive.Outcome.SKIPPED);
        assertThat(store.list(S)).isEmpty();
    }

    @Test
    void anArchivedPartialSegmentIsKeptAsAPartialAndNeverFetchedAsTheSegment() {
        byte[] seg = TestWal.segment(SYSID, SEG);
        archive.push(SEG + ".partial", seg, null, false);

        assertThat(store.list(S)).containsExactly(SEG + ".partial");
        assertThatThrownBy(() -> archive.fetch(S, SEG)).isInstanceOfSatisfying(LifeboatException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("the repository has no WAL file '" + SEG + "' of cluster " + S);
        });
        assertThatThrownBy(() -> archive.fetch(S, SEG + ".partial")).hasMessageContaining("has no WAL file");
    }

    @Test
    void fetchReturnsStoredSegmentsAndHistoryFiles() {
        byte[] seg = TestWal.segment(SYSID, SEG);
        archive.push(SEG, seg, null, false);
        archive.push("00000002.history", HISTORY, S, false);

        assertThat(archive.fetch(S, SEG)).isEqualTo(seg);
        assertThat(archive.fetch(null, "00000002.history")).isEqualTo(HISTORY);
        assertThatThrownBy(() -> archive.fetch(S, "000000010000000000000009"))
                .hasMessage("the repository has no WAL file '000000010000000000000009' of cluster " + S);
    }
}
