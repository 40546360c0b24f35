package dev.lifeboat.repo.prune;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.snapshot.SnapshotRef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which WAL objects no physical backup in the repository needs. For each cluster (system identifier)
 * with at least one physical backup, WAL segments (complete, partial, and backup history files) whose
 * segment number (log and segment, the last 16 hex digits) lies before the oldest backup's
 * {@code startWal} are unneeded, on every timeline; timeline history files are always kept, and so is all
 * WAL of a cluster without a physical backup (nothing says which of it a restore may need).
 */
public final class WalRetention {
    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}(\\.partial|\\.[0-9A-F]{8}\\.backup)?");

    private WalRetention() {
    }

    /** The oldest start segment (16 hex digits, log and segment) of the physical backups, per system id. */
    public static Map<String, String> oldestStart(List<SnapshotRef> snapshots) {
        Map<String, String> oldest = new HashMap<>();
        for (SnapshotRef ref : snapshots) {
            JsonNode d = ref.snapshot().details();
            if (d == null || !"physical".equals(d.path("kind").asText())) {
                continue;
            }
            String sysid = d.path("systemIdentifier").asText("");
            String start = d.path("startWal").asText("");
            if (sysid.isEmpty() || !start.matches("[0-9A-F]{24}")) {
                continue;
            }
            oldest.merge(sysid, start.substring(8), (a, b) -> a.compareTo(b) <= 0 ? a : b);
        }
        return oldest;
    }

    /** The WAL objects no physical backup among the snapshots needs. */
    public static List<ObjectName> unneeded(Repository repo, List<SnapshotRef> snapshots) {
        Map<String, String> oldest = oldestStart(snapshots);
        List<ObjectName> out = new ArrayList<>();
        if (oldest.isEmpty()) {
            return out;
        }
        repo.backend().list(ObjectKind.WAL, info -> {
            String n = info.name().name();
            int dash = n.indexOf('-');
            if (dash <= 0) {
                return;
            }
            String start = oldest.get(n.substring(0, dash));
            String file = n.substring(dash + 1);
            if (start != null && SEGMENT.matcher(file).matches() && file.substring(8, 24).compareTo(start) < 0) {
                out.add(info.name());
            }
        });
        out.sort(java.util.Comparator.comparing(ObjectName::name));
        return out;
    }
}
