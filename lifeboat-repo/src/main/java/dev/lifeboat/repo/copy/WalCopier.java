package dev.lifeboat.repo.copy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.wal.WalStore;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Copies the WAL that physical backups need to another repository, so that a copy restores to any point
 * the source can: per cluster, every WAL file from the oldest given backup's start segment on (later
 * timelines, backup labels and the partial segment included) and every timeline history file. Files the
 * destination already holds are not read; content is sealed again with the destination's key, and a
 * complete file the destination holds with different content is refused as {@link WalStore#put} does.
 */
public final class WalCopier {
    private static final int SEGMENT_NAME = 24;
    private final WalStore from;
    private final WalStore to;

    public WalCopier(Repository from, Repository to) {
        this.from = new WalStore(from);
        this.to = new WalStore(to);
    }

    /** What copying did, over all clusters. */
    public record Outcome(int copied, int alreadyPresent, long bytes) {
    }

    /** Copies the WAL the physical backups among {@code snapshots} need (nothing when there are none). */
    public Outcome copy(List<SnapshotRef> snapshots) {
        Map<String, String> oldestStart = new TreeMap<>();
        for (SnapshotRef s : snapshots) {
            JsonNode d = s.snapshot().details();
            if (d == null || !"physical".equals(d.path("kind").asText())) {
                continue;
            }
            String sysid = d.path("systemIdentifier").asText();
            String start = d.path("startWal").asText();
            if (!sysid.isEmpty() && !start.isEmpty()) {
                oldestStart.merge(sysid, start, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
        int copied = 0;
        int present = 0;
        long bytes = 0;
        for (Map.Entry<String, String> cluster : oldestStart.entrySet()) {
            String sysid = cluster.getKey();
            Set<String> there = new HashSet<>(to.list(sysid));
            for (String file : from.list(sysid)) {
                if (!needed(file, cluster.getValue())) {
                    continue;
                }
                if (WalStore.isPartial(file)) {
                    byte[] content = from.get(sysid, file);
                    to.putPartial(sysid, file.substring(0, file.length() - ".partial".length()), content);
                    copied++;
                    bytes += content.length;
                } else if (there.contains(file)) {
                    present++;
                } else {
                    byte[] content = from.get(sysid, file);
                    to.put(sysid, file, content);
                    copied++;
                    bytes += content.length;
                }
            }
        }
        return new Outcome(copied, present, bytes);
    }

    /**
     * History files always; otherwise files whose segment name sorts at or after the start segment: the
     * timeline leads the name, so later timelines are included and earlier segments of the start's
     * timeline are not.
     */
    static boolean needed(String file, String startSegment) {
        if (file.endsWith(".history")) {
            return true;
        }
        return file.length() >= SEGMENT_NAME && file.substring(0, SEGMENT_NAME).compareTo(startSegment) >= 0;
    }
}
