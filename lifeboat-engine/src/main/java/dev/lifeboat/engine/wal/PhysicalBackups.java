package dev.lifeboat.engine.wal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;

import java.util.ArrayList;
import java.util.List;

/**
 * The physical base backups of a repository as far as WAL is concerned: snapshots of type {@code database}
 * whose details say {@code "kind": "physical"}, with the cluster, timeline and WAL location they start at.
 */
record PhysicalBackups(List<Backup> all) {

    /** One base backup: WAL from {@code startLsn} on {@code timeline} is needed to restore it. */
    record Backup(SnapshotRef ref, String systemId, int timeline, Lsn startLsn, long walSegmentSize) {
    }

    static PhysicalBackups of(Repository repo) {
        List<Backup> out = new ArrayList<>();
        for (SnapshotRef ref : new SnapshotStore(repo).list()) {
            JsonNode d = ref.snapshot().details();
            if (!"database".equals(ref.snapshot().type()) || d == null || !"physical".equals(d.path("kind").asText())) {
                continue;
            }
            String sysid = d.path("systemIdentifier").asText(d.path("server").path("systemIdentifier").asText(""));
            String start = d.path("startLsn").asText("");
            if (sysid.isEmpty() || start.isEmpty()) {
                continue;
            }
            out.add(new Backup(ref, sysid, d.path("timeline").asInt(1), Lsn.parse(start),
                    d.path("walSegmentSize").asLong(0)));
        }
        return new PhysicalBackups(List.copyOf(out));
    }

    /** The base backups of one cluster, oldest first. */
    List<Backup> of(String systemId) {
        return all.stream().filter(b -> b.systemId().equals(systemId)).toList();
    }

    List<String> clusters() {
        return all.stream().map(Backup::systemId).distinct().sorted().toList();
    }
}
