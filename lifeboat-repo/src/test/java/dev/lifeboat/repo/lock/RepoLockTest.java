package dev.lifeboat.repo.lock;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.backend.ForwardingBackend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RepoLockTest {
    private static final Instant SINCE = Instant.parse("2024-05-06T07:08:09Z");
    private static final String HINT =
            "wait for it to finish (or pass --lock-wait), or run 'lifeboat unlock' if that process is gone";
    private static long deadPid;
    private static String host;

    private final MemoryBackend backend = new MemoryBackend();
    private final List<RepoLock> held = new ArrayList<>();

    @BeforeAll
    static void findADeadProcess() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        deadPid = p.pid();
        host = RepoLock.hostname();
    }

    @AfterEach
    void releaseLocks() {
        held.forEach(RepoLock::close);
    }

    private RepoLock acquire(boolean exclusive, String command) {
        RepoLock lock = RepoLock.acquire(backend, exclusive, command, Duration.ZERO);
        held.add(lock);
        return lock;
    }

    /** Stores a lock object of some other process, as if written by another Lifeboat. */
    private ObjectName plant(boolean exclusive, String hostname, long pid, Instant refreshed) {
        LockInfo info = new LockInfo(exclusive, "prune", hostname, "postgres", pid, null, SINCE, refreshed, 120);
        ObjectName name = new ObjectName(ObjectKind.LOCK, "planted" + lockCount());
        backend.put(name, Json.bytes(info));
        return name;
    }

    private int lockCount() {
        return RepoLock.list(backend).size();
    }

    @Test
    void sharedLocksCoexist() {
        acquire(false, "backup");
        acquire(false, "restore");

        assertThat(RepoLock.list(backend)).extracting(h -> h.info().command())
                .containsExactlyInAnyOrder("backup", "restore");
    }

    @Test
    void anExclusiveLockConflictsWithALiveSharedLock() {
        acquire(false, "backup");
        LockInfo shared = RepoLock.list(backend).get(0).info();

        assertFails(() -> acquire(true, "prune"), ErrorCode.LOCKED,
                "repository 'memory:' is locked: a shared lock held by 'backup' (pid "
                        + ProcessHandle.current().pid() + " on host '" + host + "', since " + shared.created() + ")",
                HINT);
        assertThat(lockCount()).isEqualTo(1);
    }

    @Test
    void aSharedLockConflictsWithALiveExclusiveLock() {
        plant(true, "elsewhere", 4242, Instant.now());

        assertFails(() -> acquire(false, "backup"), ErrorCode.LOCKED)
                .hasMessage("repository 'memory:' is locked: an exclusive lock held by 'prune' (pid 4242 on host "
                        + "'elsewhere', since 2024-05-06T07:08:09Z)");
    }

    @Test
    void anExclusiveLockConflictsWithAnotherExclusiveLock() {
        acquire(true, "prune");

        assertFails(() -> acquire(true, "key remove"), ErrorCode.LOCKED)
                .hasMessageStartingWith("repository 'memory:' is locked: an exclusive lock held by 'prune' (pid ");
    }

    @Test
    void aLockOfADeadProcessOnThisHostIsStaleAtOnce() {
        plant(true, host, deadPid, Instant.now());

        acquire(true, "prune");

        assertThat(lockCount()).isEqualTo(2);
    }

    @Test
    void aLockOfAnotherHostIsLiveUntilItsLeaseExpires() {
        plant(false, "elsewhere", deadPid, Instant.now());

        assertFails(() -> acquire(true, "prune"), ErrorCode.LOCKED)
                .hasMessage("repository 'memory:' is locked: a shared lock held by 'prune' (pid " + deadPid
                        + " on host 'elsewhere', since 2024-05-06T07:08:09Z)");
    }

    @Test
    void aLockWhoseLeaseExpiredIsStale() {
        plant(true, "elsewhere", 4242, Instant.now().minusSeconds(121));

        acquire(true, "prune");

        assertThat(lockCount()).isEqualTo(2);
    }

    @Test
    void aLockOfAReusedPidIsStale() {
        long self = ProcessHandle.current().pid();
        LockInfo reused = new LockInfo(true, "prune", host, "postgres", self, Instant.parse("2001-01-01T00:00:00Z"),
                SINCE, Instant.now(), 120);
        LockInfo same = new LockInfo(true, "prune", host, "postgres", self,
                ProcessHandle.current().info().startInstant().orElseThrow(), SINCE, Instant.now(), 120);

        assertThat(reused.isStale(Instant.now(), host)).isTrue();
        assertThat(same.isStale(Instant.now(), host)).isFalse();
        assertThat(same.isStale(Instant.now(), "elsewhere")).isFalse();
        assertThat(same.isStale(Instant.now().plusSeconds(121), host)).isTrue();
    }

    @Test
    void unreadableLockObjectsDoNotBlock() {
        backend.put(new ObjectName(ObjectKind.LOCK, "garbage"), "{".getBytes(StandardCharsets.UTF_8));

        acquire(true, "prune");

        assertThat(RepoLock.list(backend)).filteredOn(h -> h.info() == null).extracting(RepoLock.Held::name)
                .containsExactly(new ObjectName(ObjectKind.LOCK, "garbage"));
    }

    @Test
    void aLockThatCannotBeReadForNowStillBlocks() {
        ObjectName live = plant(true, "elsewhere", 4242, Instant.now());
        ForwardingBackend flaky = new ForwardingBackend(backend) {
            @Override
            public byte[] get(ObjectName name) {
                if (name.equals(live)) {
                    throw new LifeboatException(ErrorCode.STORAGE_TRANSIENT, "cannot read '" + name + "': timeout");
                }
                return super.get(name);
            }
        };

        assertThatThrownBy(() -> held.add(RepoLock.acquire(flaky, true, "prune", Duration.ZERO)))
                .isInstanceOfSatisfying(LifeboatException.class,
                        e -> assertThat(e.code()).isIn(ErrorCode.LOCKED, ErrorCode.STORAGE_TRANSIENT));
        assertThatThrownBy(() -> RepoLock.removeLocks(flaky, false))
                .isInstanceOfSatisfying(LifeboatException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_TRANSIENT));
        assertThat(backend.exists(live)).isTrue();
    }

    @Test
    void removeLocksRemovesStaleAndUnreadableLocksOnly() {
        acquire(false, "backup");
        ObjectName expired = plant(true, "elsewhere", 4242, Instant.now().minusSeconds(500));
        ObjectName dead = plant(false, host, deadPid, Instant.now());
        ObjectName live = plant(false, "elsewhere", 4242, Instant.now());
        backend.put(new ObjectName(ObjectKind.LOCK, "garbage"), "{".getBytes(StandardCharsets.UTF_8));

        List<RepoLock.Held> removed = RepoLock.removeLocks(backend, false);

        assertThat(removed).extracting(RepoLock.Held::name).containsExactlyInAnyOrder(expired, dead,
                new ObjectName(ObjectKind.LOCK, "garbage"));
        assertThat(RepoLock.list(backend)).extracting(RepoLock.Held::name).hasSize(2).contains(live);
    }

    @Test
    void removeLocksOfAllRemovesEveryLock() {
        acquire(false, "backup");
        plant(true, "elsewhere", 4242, Instant.now());

        assertThat(RepoLock.removeLocks(backend, true)).hasSize(2);

        assertThat(RepoLock.list(backend)).isEmpty();
    }

    @Test
    void closeDeletesTheLockObject() {
        RepoLock lock = RepoLock.acquire(backend, true, "prune", Duration.ZERO);

        lock.close();

        assertThat(RepoLock.list(backend)).isEmpty();
        acquire(true, "prune");
    }

    @Test
    void acquireWaitsForAConflictingLockToGoAway() {
        ObjectName other = plant(true, "elsewhere", 4242, Instant.now());
        AtomicBoolean firstAttemptFailed = new AtomicBoolean();
        ForwardingBackend releasing = new ForwardingBackend(backend) {
            @Override
            public void delete(ObjectName name) {
                super.delete(name);
                if (!name.equals(other) && firstAttemptFailed.compareAndSet(false, true)) {
                    super.delete(other);
                }
            }
        };

        held.add(RepoLock.acquire(releasing, false, "backup", Duration.ofMillis(500)));

        assertThat(firstAttemptFailed).isTrue();
        assertThat(RepoLock.list(backend)).extracting(h -> h.info().command()).containsExactly("backup");
    }

    @Test
    void aWaitingExclusiveLockKeepsNewSharedLocksOutUntilItHasHadItsTurn() throws Exception {
        RepoLock backup = RepoLock.acquire(backend, false, "backup", Duration.ZERO);
        CompletableFuture<RepoLock> prune = CompletableFuture.supplyAsync(
                () -> RepoLock.acquire(backend, true, "prune", Duration.ofSeconds(20)));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (RepoLock.list(backend).stream().noneMatch(h -> h.info() != null && h.info().exclusive())
                && System.nanoTime() < until) {
            Thread.sleep(10);
        }

        assertFails(() -> RepoLock.acquire(backend, false, "backup", Duration.ZERO), ErrorCode.LOCKED);
        assertThat(prune).isNotDone();
        backup.close();
        RepoLock pruning = prune.get(20, TimeUnit.SECONDS);
        assertThat(RepoLock.list(backend)).extracting(h -> h.info().command()).containsExactly("prune");
        pruning.close();
        held.add(RepoLock.acquire(backend, false, "backup", Duration.ZERO));
    }

    @Test
    void ofTwoWaitingExclusiveLocksTheOlderGoesFirst() throws Exception {
        RepoLock backup = RepoLock.acquire(backend, false, "backup", Duration.ZERO);
        CompletableFuture<RepoLock> first = CompletableFuture.supplyAsync(
                () -> RepoLock.acquire(backend, true, "prune", Duration.ofSeconds(20)));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (RepoLock.list(backend).stream().noneMatch(h -> h.info() != null && h.info().exclusive())
                && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        Thread.sleep(5);
        CompletableFuture<RepoLock> second = CompletableFuture.supplyAsync(
                () -> RepoLock.acquire(backend, true, "rewrite", Duration.ofSeconds(20)));
        Thread.sleep(300);

        backup.close();
        RepoLock firstLock = first.get(20, TimeUnit.SECONDS);
        assertThat(second).isNotDone();
        firstLock.close();
        held.add(second.get(20, TimeUnit.SECONDS));
        assertThat(RepoLock.list(backend)).extracting(h -> h.info().command()).containsExactly("rewrite");
    }

    @Test
    void describeSaysWhoHoldsTheLock() {
        LockInfo info = new LockInfo(false, "backup", "db1", "postgres", 77, null, SINCE, SINCE, 120);

        assertThat(info.describe())
                .isEqualTo("a shared lock held by 'backup' (pid 77 on host 'db1', since 2024-05-06T07:08:09Z)");
    }
}
