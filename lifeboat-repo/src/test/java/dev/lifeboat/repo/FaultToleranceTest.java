package dev.lifeboat.repo;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.FaultInjectingBackend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.RetryingBackend;
import dev.lifeboat.repo.check.Checker;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups through storage that fails a share of requests (errors before and after the work, timeouts,
 * bodies cut short) either fail with a Lifeboat error or commit a snapshot; afterwards, read without
 * faults, the repository checks clean and every snapshot in it restores exactly what was backed up.
 */
public class FaultToleranceTest {
    protected static final int ROUNDS = 4;
    static final RetryingBackend.Policy FAST = new RetryingBackend.Policy(4, Duration.ZERO, Duration.ofMillis(2));

    /** The storage under test, empty. */
    protected Backend storage() throws Exception {
        return new MemoryBackend();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    public void backupsThroughFaultyStorageNeverLoseOrCorruptData(long seed) throws Exception {
        try (Backend clean = storage()) {
            backUpThroughFaultsThenVerify(clean, seed);
        }
    }

    private static void backUpThroughFaultsThenVerify(Backend clean, long seed) {
        TestRepositories.init(clean, TestRepositories.smallPacks());
        FaultInjectingBackend faults = new FaultInjectingBackend(clean, 0.1, seed, Duration.ofMillis(5));
        Backend faulty = new RetryingBackend(faults, FAST, d -> Thread.sleep(d.toMillis()));

        Map<String, SortedMap<String, byte[]>> backedUp = new HashMap<>();
        List<String> committed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            SortedMap<String, byte[]> files = TestBackups.files(round, 6, 150_000);
            backedUp.put("round-" + round, files);
            try {
                Repository repo = TestRepositories.open(faulty);
                SnapshotRef ref = TestBackups.backup(repo, files, "round-" + round);
                committed.add(ref.snapshot().tags().get(0));
            } catch (LifeboatException e) {
                failures.add(e.code() + ": " + e.getMessage());
            }
        }

        assertThat(faults.injected()).as("faults injected").isPositive();
        assertThat(committed).as("committed despite faults; failures: %s", failures).isNotEmpty();
        Repository repo = TestRepositories.open(clean);
        Checker.Report report = new Checker(repo, Progress.NONE).run(1.0);
        assertThat(report.errors()).isEmpty();
        List<SnapshotRef> snapshots = new SnapshotStore(repo).list();
        assertThat(snapshots).extracting(s -> s.snapshot().tags().get(0)).containsAll(committed);
        for (SnapshotRef s : snapshots) {
            SortedMap<String, byte[]> restored = TestBackups.restore(repo, s.snapshot());
            SortedMap<String, byte[]> expected = backedUp.get(s.snapshot().tags().get(0));
            assertThat(restored.keySet()).isEqualTo(expected.keySet());
            for (String name : expected.keySet()) {
                assertThat(restored.get(name)).as(name).isEqualTo(expected.get(name));
            }
        }
    }
}
