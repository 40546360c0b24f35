package dev.lifeboat.repo.prune;

import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBackups;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.wal.WalStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups (shared locks), a WAL writer (no lock) and prunes (exclusive lock, after forgetting some
 * snapshots) run at once, many times; every snapshot written and not forgotten must stay intact.
 */
class ConcurrentPruneTest {
    private static final int PRUNES = 20;
    private static final int BACKUP_THREADS = 3;
    private static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void snapshotsWrittenDuringPrunesSurviveIntact(@TempDir Path dir) throws Exception {
        Backend backend = new LocalBackend(dir);
        TestRepositories.init(backend, TestRepositories.smallPacks()).close();
        Map<SnapshotRef, SortedMap<String, byte[]>> alive = new LinkedHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger backups = new AtomicInteger();
        AtomicInteger wal = new AtomicInteger(1);
        List<Future<?>> tasks = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(BACKUP_THREADS + 2)) {
            for (int t = 0; t < BACKUP_THREADS; t++) {
                int thread = t;
                tasks.add(pool.submit(() -> {
                    for (int round = 0; !done.get(); round++) {
                        Repository repo = TestRepositories.open(backend);
                        SortedMap<String, byte[]> files = TestBackups.files(thread * 1000 + round, 3, 100_000);
                        SnapshotRef ref;
                        try (RepoLock ignored = RepoLock.acquire(backend, false, "backup", WAIT)) {
                            ref = TestBackups.backup(repo, files, "t" + thread);
                        }
                        synchronized (alive) {
                            alive.put(ref, files);
                        }
                        backups.incrementAndGet();
                    }
                    return null;
                }));
            }
            tasks.add(pool.submit(() -> {
                Repository repo = TestRepositories.open(backend);
                WalStore store = new WalStore(repo);
                while (!done.get()) {
                    store.put("42", String.format("00000001%016X", wal.getAndIncrement()), new byte[1000]);
                    Thread.sleep(5);
                }
                return null;
            }));
            tasks.add(pool.submit(() -> {
                Random random = new Random(7);
                try {
                    for (int i = 0; i < PRUNES; i++) {
                        Repository repo = TestRepositories.open(backend);
                        try (RepoLock ignored = RepoLock.acquire(backend, true, "prune", WAIT)) {
                            synchronized (alive) {
                                List<SnapshotRef> refs = new ArrayList<>(alive.keySet());
                                for (SnapshotRef r : refs) {
                                    if (random.nextInt(3) == 0) {
                                        backend.delete(new ObjectName(ObjectKind.SNAPSHOT, r.id().hex()));
                                        alive.remove(r);
                                    }
                                }
                            }
                            new Pruner(repo, Progress.NONE).run(new Pruner.Options(false, 0, Long.MAX_VALUE));
                        }
                        Thread.sleep(50);
                    }
                } finally {
                    done.set(true);
                }
                return null;
            }));
            for (Future<?> f : tasks) {
                f.get(5, TimeUnit.MINUTES);
            }
        }
        assertThat(backups.get()).isGreaterThanOrEqualTo(BACKUP_THREADS);
        Repository repo = TestRepositories.open(backend);
        PruneFixtures.assertIntact(repo, alive);
        assertThat(new WalStore(repo).list("42")).hasSize(wal.get() - 1);
    }
}
