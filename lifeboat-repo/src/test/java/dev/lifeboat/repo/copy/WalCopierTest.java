package dev.lifeboat.repo.copy;

import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBackups;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.wal.WalStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WalCopierTest {
    private static final String SYSID = "7300000000000000001";
    private Repository source;
    private Repository destination;
    private WalStore sourceWal;
    private WalStore destinationWal;

    @BeforeEach
    void repositories() {
        source = TestRepositories.init(new MemoryBackend(), TestRepositories.smallPacks());
        destination = TestRepositories.init(new MemoryBackend(), TestRepositories.smallPacks());
        sourceWal = new WalStore(source);
        destinationWal = new WalStore(destination);
        for (String seg : List.of("000000010000000000000002", "000000010000000000000003", "000000010000000000000004",
                "000000020000000000000004", "000000010000000000000003.00000028.backup", "00000002.history")) {
            sourceWal.put(SYSID, seg, ("wal " + seg).getBytes());
        }
        sourceWal.putPartial(SYSID, "000000020000000000000005", "partial".getBytes());
        sourceWal.put("999", "000000010000000000000001", "another cluster".getBytes());
    }

    private SnapshotRef physicalBackup(String startWal) {
        SnapshotRef files = TestBackups.backup(source, TestBackups.files(1, 2, 1000), "base");
        Snapshot base = files.snapshot();
        return new SnapshotStore(source).save(new Snapshot(Snapshot.VERSION, base.time().plusSeconds(1), "database",
                SYSID, "testhost", "tester", List.of("/var/lib/postgresql"), List.of(), List.of(), null, base.tree(),
                null, Json.MAPPER.valueToTree(Map.of("kind", "physical", "systemIdentifier", SYSID,
                "startWal", startWal, "timeline", 1)), null));
    }

    @Test
    void copiesTheWalFromTheBackupsStartOnWithHistoryAndPartial() {
        SnapshotRef backup = physicalBackup("000000010000000000000003");

        WalCopier.Outcome outcome = new WalCopier(source, destination).copy(List.of(backup));

        assertThat(destinationWal.list(SYSID)).containsExactlyInAnyOrder("000000010000000000000003",
                "000000010000000000000003.00000028.backup", "000000010000000000000004", "000000020000000000000004",
                "000000020000000000000005.partial", "00000002.history");
        assertThat(destinationWal.get(SYSID, "000000020000000000000004")).isEqualTo("wal 000000020000000000000004".getBytes());
        assertThat(destinationWal.clusters()).containsExactly(SYSID);
        assertThat(outcome.copied()).isEqualTo(6);
        assertThat(outcome.alreadyPresent()).isZero();
    }

    @Test
    void aSecondCopyOnlyRefreshesThePartialSegment() {
        SnapshotRef backup = physicalBackup("000000010000000000000003");
        new WalCopier(source, destination).copy(List.of(backup));
        sourceWal.putPartial(SYSID, "000000020000000000000005", "partial, longer".getBytes());

        WalCopier.Outcome again = new WalCopier(source, destination).copy(List.of(backup));

        assertThat(again.copied()).isEqualTo(1);
        assertThat(again.alreadyPresent()).isEqualTo(5);
        assertThat(destinationWal.get(SYSID, "000000020000000000000005.partial")).isEqualTo("partial, longer".getBytes());
    }

    @Test
    void snapshotsThatAreNotPhysicalBackupsNeedNoWal() {
        SnapshotRef files = TestBackups.backup(source, TestBackups.files(2, 2, 1000), "files");

        assertThat(new WalCopier(source, destination).copy(List.of(files)).copied()).isZero();
        assertThat(destinationWal.clusters()).isEmpty();
    }

    @Test
    void aCompleteFileTheDestinationHoldsIsNeitherReadNorReplaced() {
        SnapshotRef backup = physicalBackup("000000010000000000000004");
        destinationWal.put(SYSID, "000000010000000000000004", "stored earlier".getBytes());

        WalCopier.Outcome outcome = new WalCopier(source, destination).copy(List.of(backup));

        assertThat(outcome.alreadyPresent()).isEqualTo(1);
        assertThat(destinationWal.get(SYSID, "000000010000000000000004")).isEqualTo("stored earlier".getBytes());
    }
}
