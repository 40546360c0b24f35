package dev.lifeboat.engine.wal;

import dev.lifeboat.postgres.physical.WalHeader;
import dev.lifeboat.postgres.wal.TimelineHistory;
import dev.lifeboat.postgres.wal.WalSegmentName;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.wal.WalStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks that the repository's WAL is continuous: for every cluster and every newest timeline (one that no
 * other stored timeline descends from), each segment that recovery would read, from the start of the oldest
 * physical base backup on that timeline's history (or from the oldest stored segment when there is no such
 * backup) up to the newest WAL stored, following the timeline history as recovery does. Only the newest
 * segment may be partial. A missing segment is a gap, named by the first segment missing.
 */
public final class WalVerifier {
    private final Repository repo;
    private final WalStore store;

    public WalVerifier(Repository repo) {
        this.repo = repo;
        this.store = new WalStore(repo);
    }

    /** Segments missing in a row, as recovery would ask for them. */
    public record Gap(int timeline, String firstMissing, String lastMissing, long segments) {
    }

    /**
     * The WAL checked for one newest timeline.
     *
     * @param timelines the timeline's history, oldest first
     * @param from      where checking began: {@code base backup <id>} or {@code oldest segment}
     * @param first     the first segment needed, {@code last} the newest stored
     * @param segments  complete segments found
     * @param partial   the newest segment when only its partial is stored, else null
     */
    public record Chain(int timeline, List<Integer> timelines, String from, String first, String last, long segments,
                        String partial) {
    }

    /** One cluster's WAL: its chains, gaps and other problems (unreadable or missing history files). */
    public record ClusterReport(String systemId, List<Chain> chains, List<Gap> gaps, List<String> problems) {
        public boolean ok() {
            return gaps.isEmpty() && problems.isEmpty();
        }
    }

    /** Every cluster checked. */
    public record Report(List<ClusterReport> clusters) {
        public boolean ok() {
            return clusters.stream().allMatch(ClusterReport::ok);
        }
    }

    /**
     * Checks one cluster, or every cluster with WAL or physical backups in the repository when
     * {@code systemId} is null.
     */
    public Report verify(String systemId) {
        PhysicalBackups backups = PhysicalBackups.of(repo);
        Set<String> clusters = new LinkedHashSet<>();
        if (systemId != null) {
            clusters.add(systemId);
        } else {
            clusters.addAll(new TreeSet<>(store.clusters()));
            clusters.addAll(backups.clusters());
        }
        List<ClusterReport> out = new ArrayList<>();
        for (String c : clusters) {
            out.add(verifyCluster(c, backups.of(c)));
        }
        return new Report(out);
    }

    private ClusterReport verifyCluster(String sysid, List<PhysicalBackups.Backup> backups) {
        List<String> files = store.list(sysid);
        long segSize = segmentSize(sysid, files, backups);
        Map<Integer, TreeSet<Long>> complete = new TreeMap<>();
        Map<Integer, TreeSet<Long>> partial = new TreeMap<>();
        Map<Integer, String> historyFiles = new HashMap<>();
        for (String f : files) {
            int historyOf = TimelineHistory.timelineOf(f);
            if (historyOf > 0) {
                historyFiles.put(historyOf, f);
                continue;
            }
            WalSegmentName n = WalSegmentName.parse(f.substring(0, 24), segSize);
            (WalStore.isPartial(f) ? partial : complete).computeIfAbsent(n.timeline(), t -> new TreeSet<>())
                    .add(n.segment());
        }
        List<String> problems = new ArrayList<>();
        Set<Integer> withData = new TreeSet<>(complete.keySet());
        withData.addAll(partial.keySet());
        for (PhysicalBackups.Backup b : backups) {
            withData.add(b.timeline());
        }
        Map<Integer, TimelineHistory> histories = new TreeMap<>();
        for (int t : withData) {
            if (t == 1) {
                histories.put(t, TimelineHistory.first());
            } else if (!historyFiles.containsKey(t)) {
                problems.add("timeline " + t + " has " + (complete.containsKey(t) || partial.containsKey(t) ? "WAL"
                        : "a base backup") + " but its history file " + TimelineHistory.fileName(t) + " is missing");
            } else {
                try {
                    histories.put(t, TimelineHistory.parse(t, store.get(sysid, historyFiles.get(t))));
                } catch (IllegalArgumentException e) {
                    problems.add(TimelineHistory.fileName(t) + " cannot be read: " + e.getMessage());
                }
            }
        }
        List<Chain> chains = new ArrayList<>();
        Map<String, Gap> gaps = new TreeMap<>();
        for (var e : histories.entrySet()) {
            int leaf = e.getKey();
            boolean ancestor = histories.values().stream()
                    .anyMatch(h -> h.timeline() != leaf && h.contains(leaf));
            if (!ancestor) {
                chain(e.getValue(), segSize, complete, partial, backups, chains, gaps);
            }
        }
        return new ClusterReport(sysid, chains, List.copyOf(gaps.values()), problems);
    }

    private void chain(TimelineHistory path, long segSize, Map<Integer, TreeSet<Long>> complete,
                       Map<Integer, TreeSet<Long>> partial, List<PhysicalBackups.Backup> backups, List<Chain> chains,
                       Map<String, Gap> gaps) {
        TreeSet<Long> onPath = new TreeSet<>();
        for (TimelineHistory.Entry en : path.entries()) {
            for (Map<Integer, TreeSet<Long>> m : List.of(complete, partial)) {
                for (long s : m.getOrDefault(en.timeline(), new TreeSet<>())) {
                    if (path.timelineOfSegment(s, segSize) == en.timeline()) {
                        onPath.add(s);
                    }
                }
            }
        }
        PhysicalBackups.Backup oldest = backups.stream()
                .filter(b -> path.contains(b.timeline()) && path.entry(b.timeline()).holds(b.startLsn()))
                .min(Comparator.comparing(b -> b.ref().snapshot().time())).orElse(null);
        if (oldest == null && onPath.isEmpty()) {
            return;
        }
        long from = oldest != null ? oldest.startLsn().segment(segSize) : onPath.first();
        String origin = oldest != null ? "base backup " + oldest.ref().id().shortHex() : "oldest segment";
        long last = onPath.isEmpty() ? from : Math.max(from, onPath.last());
        long found = 0;
        String partialName = null;
        long runStart = -1;
        for (long s = from; s <= last + 1; s++) {
            boolean present;
            if (s > last) {
                present = true;
            } else {
                int tli = path.timelineOfSegment(s, segSize);
                boolean whole = complete.getOrDefault(tli, new TreeSet<>()).contains(s);
                boolean tail = s == last && partial.getOrDefault(tli, new TreeSet<>()).contains(s);
                present = whole || tail;
                if (whole) {
                    found++;
                } else if (tail) {
                    partialName = name(path, s, segSize) + ".partial";
                }
            }
            if (!present && runStart < 0) {
                runStart = s;
            } else if (present && runStart >= 0) {
                String first = name(path, runStart, segSize);
                gaps.putIfAbsent(first, new Gap(path.timelineOfSegment(runStart, segSize), first,
                        name(path, s - 1, segSize), s - runStart));
                runStart = -1;
            }
        }
        chains.add(new Chain(path.timeline(), path.entries().stream().map(TimelineHistory.Entry::timeline).toList(),
                origin, name(path, from, segSize), name(path, last, segSize), found, partialName));
    }

    private static String name(TimelineHistory path, long segment, long segSize) {
        return new WalSegmentName(path.timelineOfSegment(segment, segSize), segment, segSize).toString();
    }

    /** The cluster's WAL segment size: from its base backups, else from the header of a stored segment. */
    private long segmentSize(String sysid, List<String> files, List<PhysicalBackups.Backup> backups) {
        for (PhysicalBackups.Backup b : backups) {
            if (b.walSegmentSize() > 0) {
                return b.walSegmentSize();
            }
        }
        for (String f : files) {
            if (TimelineHistory.timelineOf(f) < 0) {
                WalHeader h = WalHeader.parse(store.get(sysid, f));
                if (h != null && Long.bitCount(h.segmentSize()) == 1) {
                    return h.segmentSize();
                }
            }
        }
        return WalSegmentName.DEFAULT_SEGMENT_SIZE;
    }
}
