package dev.lifeboat.repo.snapshot;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

class SnapshotStoreTest {
    private static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");
    private static MemoryBackend sharedBackend;
    private static Repository sharedRepo;
    private Repository repo;
    private SnapshotStore store;

    @BeforeAll
    static void initRepository() {
        sharedBackend = new MemoryBackend();
        sharedRepo = TestRepositories.init(sharedBackend);
    }

    @BeforeEach
    void emptySnapshots() {
        sharedBackend.list(ObjectKind.SNAPSHOT, info -> sharedBackend.delete(info.name()));
        repo = sharedRepo;
        store = new SnapshotStore(repo);
    }

    private static Snapshot snapshot(int minutes, String hostname) {
        return new Snapshot(1, T0.plusSeconds(60L * minutes), "files", "/srv", hostname, "root", List.of("/srv"),
                List.of(), List.of(), null, List.of(), null, null, "test");
    }

    @Test
    void savedSnapshotsLoadBack() {
        SnapshotRef saved = store.save(snapshot(1, "db1"));

        assertThat(store.load(saved.id())).isEqualTo(saved.snapshot());
        assertThat(repo.backend().exists(new ObjectName(ObjectKind.SNAPSHOT, saved.id().hex()))).isTrue();
    }

    @Test
    void listReturnsEverySnapshotOldestFirst() {
        SnapshotRef b = store.save(snapshot(2, "db1"));
        SnapshotRef c = store.save(snapshot(3, "db1"));
        SnapshotRef a = store.save(snapshot(1, "db1"));

        assertThat(store.list()).containsExactly(a, b, c);
    }

    @Test
    void listOfAnEmptyRepositoryIsEmpty() {
        assertThat(store.list()).isEmpty();
    }

    @Test
    void latestIsTheNewestSnapshot() {
        store.save(snapshot(1, "db1"));
        SnapshotRef newest = store.save(snapshot(3, "db1"));
        store.save(snapshot(2, "db1"));

        assertThat(store.resolve("latest", r -> true, "")).isEqualTo(newest);
    }

    @Test
    void latestIsTheNewestSnapshotTheFilterAccepts() {
        SnapshotRef db2 = store.save(snapshot(1, "db2"));
        store.save(snapshot(2, "db1"));

        assertThat(store.resolve("latest", r -> r.snapshot().hostname().equals("db2"), " of host 'db2'"))
                .isEqualTo(db2);
    }

    @Test
    void aUniquePrefixFindsTheSnapshot() {
        SnapshotRef a = store.save(snapshot(1, "db1"));
        SnapshotRef b = store.save(snapshot(2, "db1"));
        String prefix = uniquePrefix(a.id(), b.id());

        assertThat(store.resolve(prefix, r -> true, "")).isEqualTo(a);
        assertThat(store.resolve(prefix.toUpperCase(), r -> true, "")).isEqualTo(a);
        assertThat(store.resolve(a.id().hex(), r -> true, "")).isEqualTo(a);
    }

    @Test
    void anAmbiguousPrefixIsAUsageError() {
        BlobId[] twins = saveTwoSnapshotsSharingAPrefix();
        String prefix = twins[0].hex().substring(0, 4);

        assertFails(() -> store.resolve(prefix, r -> true, ""), ErrorCode.USAGE,
                "snapshot id '" + prefix + "' is ambiguous (2 snapshots start with it)",
                "give more characters of the id");
        assertThat(store.resolve(twins[1].hex(), r -> true, "").id()).isEqualTo(twins[1]);
    }

    @Test
    void aPrefixMatchingOnlyFilteredOutSnapshotsIsNotFound() {
        SnapshotRef db1 = store.save(snapshot(1, "db1"));
        String prefix = db1.id().hex().substring(0, 8);

        assertFails(() -> store.resolve(prefix, r -> r.snapshot().hostname().equals("db2"), " of host 'db2'"),
                ErrorCode.NOT_FOUND, "no snapshot '" + prefix + "' of host 'db2'",
                "run 'lifeboat snapshots' to list them");
    }

    @Test
    void anUnknownIdIsNotFound() {
        SnapshotRef saved = store.save(snapshot(1, "db1"));
        String missing = saved.id().hex().startsWith("0") ? "1234" : "0123";

        assertFails(() -> store.resolve(missing, r -> true, ""), ErrorCode.NOT_FOUND,
                "no snapshot '" + missing + "'", "run 'lifeboat snapshots' to list them");
    }

    @Test
    void latestOfAnEmptyRepositoryIsNotFound() {
        assertFails(() -> store.resolve("latest", r -> true, ""), ErrorCode.NOT_FOUND,
                "there is no snapshot in the repository",
                "run 'lifeboat backup' first, or 'lifeboat snapshots' to see what exists");
        assertFails(() -> store.resolve("latest", r -> true, " of host 'db2'"), ErrorCode.NOT_FOUND,
                "there is no snapshot of host 'db2' in the repository",
                "run 'lifeboat backup' first, or 'lifeboat snapshots' to see what exists");
    }

    @Test
    void aMissingSpecIsAUsageError() {
        for (String spec : new String[] {null, "", "  "}) {
            assertFails(() -> store.resolve(spec, r -> true, ""), ErrorCode.USAGE, "no snapshot given",
                    "name one by id or use 'latest'");
        }
    }

    @Test
    void anInvalidIdIsAUsageError() {
        store.save(snapshot(1, "db1"));

        for (String spec : new String[] {"abc", "xyz1", "12345g", "Latest", "0".repeat(65), "ab cd"}) {
            assertFails(() -> store.resolve(spec, r -> true, ""), ErrorCode.USAGE,
                    "invalid snapshot id '" + spec + "'", "give 4 to 64 hexadecimal characters of an id, or 'latest'");
        }
    }

    @Test
    void loadOfAnAlteredSnapshotFailsWithIntegrity() {
        SnapshotRef saved = store.save(snapshot(1, "db1"));
        ObjectName name = new ObjectName(ObjectKind.SNAPSHOT, saved.id().hex());
        byte[] bytes = sharedBackend.get(name);
        bytes[bytes.length - 1] ^= 1;
        sharedBackend.corrupt(name, bytes);

        assertFails(() -> store.load(saved.id()), ErrorCode.INTEGRITY,
                "'snapshots/" + saved.id().hex() + "' does not match its name (content was altered)",
                "run 'lifeboat check --read-data' to find every damaged object");
    }

    /**
     * Stores snapshots whose ids share their first four hex characters. Ids are hashes of sealed bytes,
     * so candidates are sealed until two collide (about 300 tries), and only those two are stored.
     */
    private BlobId[] saveTwoSnapshotsSharingAPrefix() {
        Map<String, byte[]> byPrefix = new HashMap<>();
        for (int i = 0; ; i++) {
            byte[] sealed = repo.key().seal(Json.bytes(snapshot(i, "db1")));
            BlobId id = Repository.sha256(sealed, 0, sealed.length);
            byte[] twin = byPrefix.putIfAbsent(id.hex().substring(0, 4), sealed);
            if (twin != null) {
                BlobId twinId = Repository.sha256(twin, 0, twin.length);
                repo.backend().put(new ObjectName(ObjectKind.SNAPSHOT, twinId.hex()), twin);
                repo.backend().put(new ObjectName(ObjectKind.SNAPSHOT, id.hex()), sealed);
                return new BlobId[] {twinId, id};
            }
        }
    }

    private static String uniquePrefix(BlobId id, BlobId other) {
        int n = 4;
        while (other.hex().startsWith(id.hex().substring(0, n))) {
            n++;
        }
        return id.hex().substring(0, n);
    }
}
