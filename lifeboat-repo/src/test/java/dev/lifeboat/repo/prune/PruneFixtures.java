package dev.lifeboat.repo.prune;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBackups;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.check.Checker;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackWriter;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.wal.WalStore;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Repositories with something to prune, and the checks every pruned repository must pass. */
final class PruneFixtures {
    static final String SYSID = "7310000000000000001";

    private PruneFixtures() {
    }

    /** Every object of a backend copied into a new memory backend. */
    static MemoryBackend copy(Backend from) {
        MemoryBackend to = new MemoryBackend();
        to.put(ObjectName.CONFIG, from.get(ObjectName.CONFIG));
        for (ObjectKind kind : ObjectKind.values()) {
            if (kind == ObjectKind.CONFIG) {
                continue;
            }
            List<ObjectName> names = new ArrayList<>();
            from.list(kind, i -> names.add(i.name()));
            for (ObjectName n : names) {
                to.put(n, from.get(n));
            }
        }
        return to;
    }

    /** The object names of a kind. */
    static List<String> names(Backend b, ObjectKind kind) {
        List<String> out = new ArrayList<>();
        b.list(kind, i -> out.add(i.name().name()));
        out.sort(null);
        return out;
    }

    /**
     * Three file snapshots sharing some files, one of them forgotten; a pack no index names (an interrupted
     * backup); a physical backup snapshot with WAL before and after its start.
     *
     * @return the snapshots that remain, with their files
     */
    static Map<SnapshotRef, SortedMap<String, byte[]>> populate(Repository repo) {
        SortedMap<String, byte[]> a = TestBackups.files(1, 6, 300_000);
        SortedMap<String, byte[]> b = TestBackups.files(2, 6, 300_000);
        SortedMap<String, byte[]> c = TestBackups.files(3, 6, 300_000);
        SnapshotRef ra = TestBackups.backup(repo, a, "a");
        SnapshotRef rb = TestBackups.backup(repo, b, "b");
        SnapshotRef rc = TestBackups.backup(repo, c, "c");
        repo.backend().delete(new ObjectName(ObjectKind.SNAPSHOT, rb.id().hex()));

        ByteArrayOutputStream orphanBytes = new ByteArrayOutputStream();
        PackWriter orphan = new PackWriter(orphanBytes);
        byte[] plain = "left by an interrupted backup".getBytes();
        orphan.add(repo.key().blobId(plain, 0, plain.length), BlobType.DATA, repo.codec().encode(plain));
        BlobId orphanId = orphan.finish(repo.key());
        repo.backend().put(new ObjectName(ObjectKind.DATA, orphanId.hex()), orphanBytes.toByteArray());

        WalStore wal = new WalStore(repo);
        for (String seg : List.of("000000010000000000000001", "000000010000000000000002", "000000010000000000000003",
                "000000010000000000000004")) {
            wal.put(SYSID, seg, ("wal " + seg).getBytes());
        }
        wal.put(SYSID, "00000002.history", "1\t0/3000000\tno recovery target specified\n".getBytes());
        wal.put("999", "000000010000000000000001", "another cluster without a physical backup".getBytes());
        Snapshot base = rc.snapshot();
        SnapshotRef physical = new SnapshotStore(repo).save(new Snapshot(Snapshot.VERSION, base.time().plusSeconds(1),
                "database", SYSID, "testhost", "tester", List.of("/var/lib/postgresql"), List.of(), List.of(), null,
                base.tree(), null, Json.MAPPER.valueToTree(Map.of("kind", "physical", "systemIdentifier", SYSID,
                "startWal", "000000010000000000000003", "timeline", 1)), null));
        return Map.of(ra, a, rc, c, physical, c);
    }

    /** Check passes and every snapshot restores exactly what was backed up. */
    static void assertIntact(Repository repo, Map<SnapshotRef, SortedMap<String, byte[]>> expected) {
        repo.reloadIndex();
        Checker.Report report = new Checker(repo, Progress.NONE).run(1);
        assertThat(report.errors()).isEmpty();
        assertRestores(repo, expected);
    }

    /** Every snapshot exists and restores exactly what was backed up. */
    static void assertRestores(Repository repo, Map<SnapshotRef, SortedMap<String, byte[]>> expected) {
        List<BlobId> ids = new SnapshotStore(repo).list().stream().map(SnapshotRef::id).toList();
        for (var e : expected.entrySet()) {
            assertThat(ids).contains(e.getKey().id());
            SortedMap<String, byte[]> restored = TestBackups.restore(repo, e.getKey().snapshot());
            assertThat(restored.keySet()).isEqualTo(e.getValue().keySet());
            for (var f : e.getValue().entrySet()) {
                assertThat(restored.get(f.getKey())).as(f.getKey()).isEqualTo(f.getValue());
            }
        }
    }
}
