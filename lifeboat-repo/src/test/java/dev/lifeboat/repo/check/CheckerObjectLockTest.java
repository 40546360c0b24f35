package dev.lifeboat.repo.check;

import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBackups;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.ForwardingBackend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.Retention;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What check reports about object lock. S3Proxy, the S3 server the other tests run, stores no object lock
 * retention (S3CheckObjectLockIT shows check reading none from it), so here the storage is memory behind a
 * backend that answers a known retention per object kind, as S3 with object lock would.
 */
class CheckerObjectLockTest {
    static final Instant UNTIL = Instant.now().plus(90, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    /** Memory storage whose objects report the retention S3 Object Lock gives them; packs may lack it. */
    static final class LockingBackend extends ForwardingBackend {
        private final boolean packsLocked;

        LockingBackend(boolean packsLocked) {
            super(new MemoryBackend());
            this.packsLocked = packsLocked;
        }

        @Override
        public Retention retention(ObjectName name) {
            if (!exists(name)) {
                throw new IllegalStateException("asked for the retention of missing '" + name + "'");
            }
            return name.kind() == ObjectKind.DATA && !packsLocked ? Retention.NONE
                    : new Retention("COMPLIANCE", name.kind() == ObjectKind.CONFIG ? UNTIL.minusSeconds(60) : UNTIL);
        }
    }

    private static Checker.Report check(LockingBackend backend) {
        Repository repo = TestRepositories.init(backend, TestRepositories.smallPacks());
        for (int i = 1; i <= 6; i++) {
            TestBackups.backup(repo, TestBackups.files(i, 4, 600_000), "round-" + i);
        }
        return new Checker(TestRepositories.open(backend), Progress.NONE).run(0);
    }

    @Test
    void reportsTheModeAndEarliestRetentionOfASampleOfObjects() {
        Checker.Report report = check(new LockingBackend(true));

        Checker.LockState lock = report.objectLock();
        assertThat(lock.objects()).extracting(o -> o.object().split("/")[0])
                .containsOnlyOnce("config").contains("data", "index", "keys", "snapshots");
        assertThat(lock.sampled()).isEqualTo(lock.objects().size()).isLessThanOrEqualTo(1 + 4 * 4);
        assertThat(lock.locked()).isEqualTo(lock.sampled());
        assertThat(lock.modes()).containsExactly("COMPLIANCE");
        assertThat(lock.earliestUntil()).isEqualTo(UNTIL.minusSeconds(60));
        assertThat(lock.describe()).isEqualTo("object lock: " + lock.sampled() + " of " + lock.sampled()
                + " sampled objects are locked (COMPLIANCE) until " + UNTIL.minusSeconds(60) + " at the earliest");
        assertThat(report.warnings()).isEmpty();
    }

    @Test
    void warnsWhenSomeSampledObjectsAreNotLocked() {
        Checker.Report report = check(new LockingBackend(false));

        Checker.LockState lock = report.objectLock();
        long packs = lock.objects().stream().filter(o -> o.object().startsWith("data/")).count();
        assertThat(packs).isEqualTo(Checker.LOCK_SAMPLE_PER_KIND);
        assertThat(lock.locked()).isEqualTo(lock.sampled() - packs);
        assertThat(lock.objects()).filteredOn(o -> o.object().startsWith("data/"))
                .allSatisfy(o -> assertThat(o.mode()).isNull());
        assertThat(report.warnings()).containsExactly(packs + " of " + lock.sampled() + " sampled objects are not "
                + "locked: they were written before object lock was configured, or their retention has ended");
    }

    @Test
    void aLapsedRetentionDoesNotCountAsLocked() {
        Instant past = Instant.parse("2020-01-01T00:00:00Z");
        Checker.LockState lock = Checker.LockState.of(List.of(
                new Checker.SampledObject("config", "GOVERNANCE", past)), Instant.now());

        assertThat(lock.locked()).isZero();
        assertThat(lock.describe()).isEqualTo("object lock: none of the 1 sampled objects is locked");
    }

    @Test
    void storageWithoutObjectLockReportsNoLockState() {
        Repository repo = TestRepositories.init(new MemoryBackend());

        assertThat(new Checker(repo, Progress.NONE).run(0).objectLock()).isNull();
    }
}
