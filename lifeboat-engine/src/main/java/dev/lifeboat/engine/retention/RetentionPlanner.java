package dev.lifeboat.engine.retention;

import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides which snapshots a policy keeps and why. Snapshots are grouped by source: type (or {@code full}
 * for snapshots tagged {@value #FULL_TAG}), host, and the snapshot's source (database name, system
 * identifier) or else its paths. Within a group, newest first:
 * <ul>
 *   <li>{@code keep-last N} keeps the N newest;</li>
 *   <li>{@code keep-hourly/daily/weekly/monthly/yearly N} keep the newest snapshot of each of the N newest
 *       calendar periods that have one, periods taken in the retention time zone (hours carry their UTC
 *       offset, so the hour repeated when clocks fall back is two periods; weeks are ISO weeks, Monday to
 *       Sunday, numbered within their week-based year);</li>
 *   <li>{@code keep-within D} keeps every snapshot at or after now minus D (see {@link KeepWithin}).</li>
 * </ul>
 * Safety rules apply whatever the policy: the newest snapshot of each group, the newest one tagged
 * {@value #VERIFIED_TAG}, and every snapshot tagged {@value #PINNED_TAG} are kept. A group whose policy has
 * no rule keeps everything.
 */
public final class RetentionPlanner {
    public static final String PINNED_TAG = "pinned";
    public static final String VERIFIED_TAG = "verified";
    public static final String FULL_TAG = "full";
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:00xxx");

    private RetentionPlanner() {
    }

    /** A snapshot's fate: kept with the rules that keep it, or removed (no reasons). */
    public record Decision(SnapshotRef snapshot, List<String> reasons) {
        public boolean keep() {
            return !reasons.isEmpty();
        }
    }

    /** A group of snapshots of one source, with the policy applied and the decisions, newest first. */
    public record Group(String policyKey, String type, String host, String source, Policy policy,
                        List<Decision> decisions) {
        public String label() {
            return policyKey + " " + source + " on " + host;
        }

        public List<Decision> kept() {
            return decisions.stream().filter(Decision::keep).toList();
        }

        public List<Decision> removed() {
            return decisions.stream().filter(d -> !d.keep()).toList();
        }
    }

    /**
     * Plans retention for every group.
     *
     * @param policyFor the policy of a group, from its policy key ({@code database}, {@code files},
     *                  {@code config}, {@code certificates}, {@code full}) and source
     */
    public static List<Group> plan(List<SnapshotRef> snapshots, PolicyLookup policyFor, Instant now, ZoneId zone) {
        Map<List<String>, List<SnapshotRef>> groups = new LinkedHashMap<>();
        List<SnapshotRef> sorted = new ArrayList<>(snapshots);
        sorted.sort(Comparator.comparing((SnapshotRef r) -> r.snapshot().time()).thenComparing(SnapshotRef::id)
                .reversed());
        for (SnapshotRef r : sorted) {
            groups.computeIfAbsent(key(r.snapshot()), k -> new ArrayList<>()).add(r);
        }
        List<Group> out = new ArrayList<>();
        for (var g : groups.entrySet()) {
            List<String> k = g.getKey();
            Policy policy = policyFor.policy(k.get(0), k.get(3));
            out.add(new Group(k.get(0), k.get(1), k.get(2), k.get(3), policy, decide(g.getValue(), policy, now, zone)));
        }
        out.sort(Comparator.comparing(Group::policyKey).thenComparing(Group::source).thenComparing(Group::host));
        return out;
    }

    /** Looks up the policy of a group. */
    public interface PolicyLookup {
        Policy policy(String policyKey, String source);
    }

    private static List<String> key(Snapshot s) {
        String policyKey = s.tags().contains(FULL_TAG) ? FULL_TAG : s.type();
        String source = s.source() != null ? s.source() : String.join(",", s.paths());
        return List.of(policyKey, s.type(), s.hostname() == null ? "" : s.hostname(), source);
    }

    /** The decisions for one group's snapshots, given newest first. */
    static List<Decision> decide(List<SnapshotRef> newestFirst, Policy policy, Instant now, ZoneId zone) {
        List<Decision> out = new ArrayList<>();
        int last = policy.last();
        List<Bucket> buckets = List.of(
                new Bucket("hourly", policy.hourly(), t -> HOUR.format(t)),
                new Bucket("daily", policy.daily(), t -> t.toLocalDate().toString()),
                new Bucket("weekly", policy.weekly(), t -> String.format("%d-W%02d",
                        t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR))),
                new Bucket("monthly", policy.monthly(), t -> String.format("%d-%02d", t.getYear(), t.getMonthValue())),
                new Bucket("yearly", policy.yearly(), t -> String.valueOf(t.getYear())));
        Instant cutoff = policy.within() == null ? null : policy.within().cutoff(now, zone);
        boolean verifiedSeen = false;
        for (int i = 0; i < newestFirst.size(); i++) {
            SnapshotRef ref = newestFirst.get(i);
            Snapshot s = ref.snapshot();
            List<String> reasons = new ArrayList<>();
            if (i == 0) {
                reasons.add("newest");
            }
            if (!verifiedSeen && s.tags().contains(VERIFIED_TAG)) {
                verifiedSeen = true;
                reasons.add("newest verified");
            }
            if (s.tags().contains(PINNED_TAG)) {
                reasons.add("pinned");
            }
            if (policy.isEmpty()) {
                reasons.add("no policy");
            }
            if (last > 0) {
                last--;
                reasons.add("last");
            }
            ZonedDateTime t = s.time().atZone(zone);
            for (Bucket b : buckets) {
                String period = b.period(t);
                if (period != null) {
                    reasons.add(b.name + " " + period);
                }
            }
            if (cutoff != null && !s.time().isBefore(cutoff)) {
                reasons.add("within " + policy.within());
            }
            out.add(new Decision(ref, List.copyOf(reasons)));
        }
        return out;
    }

    /** One calendar rule: how many periods are left, and the last period that kept a snapshot. */
    private static final class Bucket {
        final String name;
        int left;
        final Function<ZonedDateTime, String> key;
        String lastPeriod;

        Bucket(String name, int count, Function<ZonedDateTime, String> key) {
            this.name = name;
            this.left = count;
            this.key = key;
        }

        /** The period when this snapshot is the newest of a new period and periods are left, else null. */
        String period(ZonedDateTime t) {
            if (left == 0) {
                return null;
            }
            String p = key.apply(t);
            if (p.equals(lastPeriod)) {
                return null;
            }
            lastPeriod = p;
            left--;
            return p;
        }
    }
}
