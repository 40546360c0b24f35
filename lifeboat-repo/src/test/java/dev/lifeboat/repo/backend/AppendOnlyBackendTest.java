package dev.lifeboat.repo.backend;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBackups;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.check.Checker;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SortedMap;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

/** The append-only wrapper: everything a backup needs passes, deleting and replacing objects do not. */
class AppendOnlyBackendTest {
    static final String HINT = "forget, prune and remove keys from a trusted host whose configuration does not set "
            + "'append-only' (LIFEBOAT_APPEND_ONLY)";
    final MemoryBackend memory = new MemoryBackend();
    final AppendOnlyBackend appendOnly = new AppendOnlyBackend(memory);
    final ObjectName pack = new ObjectName(ObjectKind.DATA, "ab12");

    @Test
    void storesNewObjects() {
        appendOnly.put(pack, new byte[] {1, 2});

        assertThat(memory.get(pack)).containsExactly(1, 2);
    }

    @Test
    void storingTheSameContentAgainIsAllowed() {
        appendOnly.put(pack, new byte[] {1, 2});
        appendOnly.put(pack, new byte[] {1, 2});

        assertThat(memory.get(pack)).containsExactly(1, 2);
    }

    @Test
    void refusesToReplaceAnObjectWithDifferentContent() {
        appendOnly.put(pack, new byte[] {1, 2});

        assertFails(() -> appendOnly.put(pack, new byte[] {3}), ErrorCode.STORAGE_PERMANENT,
                "repository 'memory:' is append-only: refusing to replace 'data/ab/ab12'", HINT);
        assertThat(memory.get(pack)).containsExactly(1, 2);
    }

    @Test
    void refusesToDeleteAnObject() {
        ObjectName key = new ObjectName(ObjectKind.KEY, "cd34");
        appendOnly.create(key, new byte[] {1});

        assertFails(() -> appendOnly.delete(key), ErrorCode.STORAGE_PERMANENT,
                "repository 'memory:' is append-only: refusing to delete 'keys/cd34'", HINT);
        assertThat(memory.exists(key)).isTrue();
    }

    @Test
    void createNeverReplacesEither() {
        appendOnly.create(ObjectName.CONFIG, new byte[] {1});

        assertThat(appendOnly.create(ObjectName.CONFIG, new byte[] {2})).isFalse();
        assertThat(memory.get(ObjectName.CONFIG)).containsExactly(1);
    }

    @Test
    void locksAreStillTakenRefreshedAndReleased() {
        ObjectName lock = new ObjectName(ObjectKind.LOCK, "ef56");
        appendOnly.put(lock, new byte[] {1});
        appendOnly.put(lock, new byte[] {2});
        assertThat(memory.get(lock)).containsExactly(2);

        appendOnly.delete(lock);
        assertThat(memory.exists(lock)).isFalse();

        try (RepoLock ignored = RepoLock.acquire(appendOnly, true, "test", Duration.ZERO)) {
            assertThat(RepoLock.list(memory)).hasSize(1);
        }
        assertThat(RepoLock.list(memory)).isEmpty();
    }

    @Test
    void backupsRestoresAndChecksWork() {
        TestRepositories.init(appendOnly, TestRepositories.smallPacks());
        Repository repo = TestRepositories.open(appendOnly);
        SortedMap<String, byte[]> files = TestBackups.files(1, 6, 300_000);

        SnapshotRef first = TestBackups.backup(repo, files, "first");
        SnapshotRef again = TestBackups.backup(TestRepositories.open(appendOnly), files, "again");

        assertThat(TestBackups.restore(repo, first.snapshot())).containsExactlyEntriesOf(files);
        assertThat(TestBackups.restore(repo, again.snapshot())).containsExactlyEntriesOf(files);
        assertThat(new Checker(repo, Progress.NONE).run(1.0).errors()).isEmpty();
    }

    @Test
    void thePartialWalSegmentMayGrowAndGoButCompleteSegmentsAreImmutable() {
        ObjectName partial = new ObjectName(ObjectKind.WAL, "7-000000010000000000000003.partial");
        ObjectName segment = new ObjectName(ObjectKind.WAL, "7-000000010000000000000003");
        appendOnly.put(partial, new byte[] {1});
        appendOnly.put(partial, new byte[] {1, 2});
        appendOnly.put(segment, new byte[] {1, 2, 3});
        appendOnly.delete(partial);

        assertThat(memory.exists(partial)).isFalse();
        assertFails(() -> appendOnly.put(segment, new byte[] {9}), ErrorCode.STORAGE_PERMANENT,
                "repository 'memory:' is append-only: refusing to replace 'wal/7-000000010000000000000003'", HINT);
        assertFails(() -> appendOnly.delete(segment), ErrorCode.STORAGE_PERMANENT,
                "repository 'memory:' is append-only: refusing to delete 'wal/7-000000010000000000000003'", HINT);
    }
}
