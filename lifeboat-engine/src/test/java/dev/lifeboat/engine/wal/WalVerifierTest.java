package dev.lifeboat.engine.wal;

import dev.lifeboat.postgres.wal.TestWal;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.wal.WalStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.lifeboat.engine.wal.WalArchiveTest.S;
import static dev.lifeboat.engine.wal.WalArchiveTest.SYSID;
import static org.assertj.core.api.Assertions.assertThat;

class WalVerifierTest {
    final Repository repo = TestRepositories.init(new MemoryBackend());
    final WalStore store = new WalStore(repo);

    private void segments(String... names) {
        for (String n : names) {
            if (n.endsWith(".partial")) {
                store.putPartial(S, n.substring(0, 24), new byte[1000]);
            } else {
                store.put(S, n, TestWal.segment(SYSID, n));
            }
        }
    }

    private WalVerifier.ClusterReport verify() {
        List<WalVerifier.ClusterReport> clusters = new WalVerifier(repo).verify(null).clusters();
        assertThat(clusters).hasSize(1);
        return clusters.get(0);
    }

    @Test
    void continuousWalIsOneChainEndingInItsPartialSegment() {
        segments("000000010000000000000001", "000000010000000000000002", "000000010000000000000003",
                "000000010000000000000004.partial");

        WalVerifier.ClusterReport r = verify();

        assertThat(r.ok()).isTrue();
        assertThat(r.chains()).containsExactly(new WalVerifier.Chain(1, List.of(1), "oldest segment",
                "000000010000000000000001", "000000010000000000000004", 3, "000000010000000000000004.partial"));
    }

    @Test
    void aGapIsNamedByItsFirstMissingSegment() {
        segments("000000010000000000000001", "000000010000000000000002", "000000010000000000000005",
                "000000010000000000000006");

        WalVerifier.ClusterReport r = verify();

        assertThat(r.gaps()).containsExactly(
                new WalVerifier.Gap(1, "000000010000000000000003", "000000010000000000000004", 2));
    }

    @Test
    void aPartialSegmentBeforeTheNewestIsAGap() {
        segments("000000010000000000000001", "000000010000000000000002.partial", "000000010000000000000003");

        assertThat(verify().gaps()).containsExactly(
                new WalVerifier.Gap(1, "000000010000000000000002", "000000010000000000000002", 1));
    }

    @Test
    void theChainStartsAtTheOldestPhysicalBaseBackup() {
        physicalBackup(1, "0/3000028");
        physicalBackup(1, "0/5000028");
        segments("000000010000000000000003", "000000010000000000000004", "000000010000000000000005");

        WalVerifier.ClusterReport r = verify();

        assertThat(r.ok()).isTrue();
        assertThat(r.chains()).singleElement().satisfies(c -> {
            assertThat(c.from()).startsWith("base backup ");
            assertThat(c.first()).isEqualTo("000000010000000000000003");
        });
    }

    @Test
    void aBaseBackupWithoutTheWalAfterItIsAGap() {
        SnapshotRef backup = physicalBackup(1, "0/7000028");
        segments("000000010000000000000005", "000000010000000000000006");

        WalVerifier.ClusterReport r = verify();

        assertThat(r.gaps()).containsExactly(
                new WalVerifier.Gap(1, "000000010000000000000007", "000000010000000000000007", 1));
        assertThat(r.chains().get(0).from()).isEqualTo("base backup " + backup.id().shortHex());
    }

    @Test
    void timelinesAreFollowedThroughTheirHistoryAsRecoveryReadsThem() {
        // timeline 1 ended at 0/3000158 in segment 3: recovery reads segment 3 from timeline 2
        segments("000000010000000000000001", "000000010000000000000002", "000000010000000000000003.partial",
                "000000020000000000000003", "000000020000000000000004");
        store.put(S, "00000002.history", "1\t0/3000158\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8));

        WalVerifier.ClusterReport r = verify();

        assertThat(r.ok()).isTrue();
        assertThat(r.chains()).containsExactly(new WalVerifier.Chain(2, List.of(1, 2), "oldest segment",
                "000000010000000000000001", "000000020000000000000004", 4, null));

        store.deletePartial(S, "000000010000000000000003");
        repo.backend().delete(new dev.lifeboat.repo.backend.ObjectName(dev.lifeboat.repo.backend.ObjectKind.WAL,
                S + "-000000020000000000000003"));
        assertThat(verify().gaps()).containsExactly(
                new WalVerifier.Gap(2, "000000020000000000000003", "000000020000000000000003", 1));
    }

    @Test
    void aTimelineWithoutItsHistoryFileIsAProblem() {
        segments("000000010000000000000001", "000000020000000000000002");

        WalVerifier.ClusterReport r = verify();

        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).containsExactly(
                "timeline 2 has WAL but its history file 00000002.history is missing");
    }

    private SnapshotRef physicalBackup(int timeline, String startLsn) {
        return new SnapshotStore(repo).save(new Snapshot(Snapshot.VERSION, Instant.now(), "database", null, "db1",
                "postgres", List.of(), List.of(), List.of(), null, List.of(), null,
                Json.MAPPER.valueToTree(Map.of("kind", "physical", "systemIdentifier", S, "timeline", timeline,
                        "startLsn", startLsn, "walSegmentSize", TestWal.SEGMENT_SIZE)), null));
    }
}
