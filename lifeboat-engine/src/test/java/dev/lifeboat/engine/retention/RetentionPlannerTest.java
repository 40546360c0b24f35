package dev.lifeboat.engine.retention;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Golden;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every retention rule on a table of cases, each checked against a golden file in
 * src/test/resources/golden/retention (rerun with -Dlifeboat.golden.update=true after an intended change
 * and review the diff). Times are UTC instants; the output shows them in the case's zone.
 */
class RetentionPlannerTest {
    /** One case: a policy, a zone, "now", and snapshots as "instant[ tag,tag]". */
    record Case(String name, String policy, String zone, String now, List<String> snapshots) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<String> every(String start, Duration step, int count, String... tags) {
        List<String> out = new ArrayList<>();
        Instant t = Instant.parse(start);
        for (int i = 0; i < count; i++) {
            out.add(t.plus(step.multipliedBy(i)) + (tags.length == 0 ? "" : " " + String.join(",", tags)));
        }
        return out;
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("keep-last", "keep-last=3", "UTC", "2026-11-22T00:00:00Z",
                        every("2026-11-20T00:00:00Z", Duration.ofHours(6), 6)),
                new Case("hourly-across-dst-fall-back", "keep-hourly=5", "Europe/Berlin", "2026-10-25T04:00:00Z",
                        every("2026-10-24T23:00:00Z", Duration.ofMinutes(30), 8)),
                new Case("daily-across-dst-spring-forward", "keep-daily=3", "Europe/Berlin", "2026-03-30T12:00:00Z",
                        every("2026-03-28T20:00:00Z", Duration.ofHours(5), 9)),
                new Case("daily-across-month-and-year-end", "keep-daily=3", "America/New_York", "2027-01-02T12:00:00Z",
                        every("2026-12-30T02:00:00Z", Duration.ofHours(12), 7)),
                new Case("weekly-across-year-end", "keep-weekly=3", "UTC", "2027-01-12T00:00:00Z",
                        every("2026-12-20T10:00:00Z", Duration.ofDays(2), 11)),
                new Case("monthly-across-year-end-and-short-months", "keep-monthly=4", "Europe/Berlin",
                        "2027-03-02T00:00:00Z", List.of("2026-11-30T22:30:00Z", "2026-12-31T22:30:00Z",
                        "2027-01-31T22:30:00Z", "2027-02-28T22:30:00Z", "2027-02-27T10:00:00Z", "2026-10-31T23:30:00Z")),
                new Case("yearly", "keep-yearly=2", "UTC", "2027-06-01T00:00:00Z",
                        List.of("2024-12-31T23:59:59Z", "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z",
                                "2026-12-31T10:00:00Z", "2027-01-01T00:00:01Z")),
                new Case("within-days-across-dst", "keep-within=2d", "Europe/Berlin", "2026-10-26T12:00:00Z",
                        every("2026-10-24T09:00:00Z", Duration.ofHours(2), 6)),
                new Case("within-a-month-from-march-31", "keep-within=1m", "UTC", "2027-03-31T12:00:00Z",
                        List.of("2027-02-28T11:59:59Z", "2027-02-28T12:00:00Z", "2027-03-15T00:00:00Z")),
                new Case("within-hours", "keep-within=12h", "UTC", "2026-11-22T12:00:00Z",
                        every("2026-11-21T18:00:00Z", Duration.ofHours(6), 4)),
                new Case("seeds-database-every-6h-for-30-days", "keep-within=30d", "UTC", "2026-12-01T03:00:00Z",
                        every("2026-10-31T00:00:00Z", Duration.ofHours(6), 6)),
                new Case("rules-combine", "keep-last=1 keep-daily=2 keep-weekly=2 keep-monthly=2", "UTC",
                        "2026-12-01T00:00:00Z", every("2026-10-20T06:00:00Z", Duration.ofDays(4), 11)),
                new Case("safety-rules-keep-newest-verified-and-pinned", "keep-within=1h", "UTC",
                        "2026-12-01T00:00:00Z", List.of("2026-11-01T00:00:00Z pinned", "2026-11-02T00:00:00Z verified",
                                "2026-11-03T00:00:00Z verified", "2026-11-04T00:00:00Z", "2026-11-05T00:00:00Z")),
                new Case("no-policy-keeps-everything", "", "UTC", "2026-12-01T00:00:00Z",
                        every("2026-11-01T00:00:00Z", Duration.ofDays(7), 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ruleTableMatchesGoldenOutput(Case c) {
        ZoneId zone = ZoneId.of(c.zone());
        Policy policy = Policy.parse(c.policy(), "test");
        List<SnapshotRef> refs = new ArrayList<>();
        for (String s : c.snapshots()) {
            String[] parts = s.split(" ");
            List<String> tags = parts.length > 1 ? Arrays.asList(parts[1].split(",")) : List.of();
            refs.add(snapshot(Instant.parse(parts[0]), "database", "shop", tags));
        }
        List<RetentionPlanner.Group> groups = RetentionPlanner.plan(refs, (k, s) -> policy, Instant.parse(c.now()), zone);
        assertThat(groups).hasSize(1);
        Golden.assertMatches("retention/" + c.name() + ".txt", render(c, groups.get(0), zone));
    }

    static String render(Case c, RetentionPlanner.Group g, ZoneId zone) {
        DateTimeFormatter f = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss xxx").withZone(zone);
        StringBuilder out = new StringBuilder("# policy: " + g.policy() + ", zone " + zone + ", now "
                + f.format(Instant.parse(c.now())) + "\n");
        for (RetentionPlanner.Decision d : g.decisions()) {
            out.append(f.format(d.snapshot().snapshot().time()))
                    .append(d.snapshot().snapshot().tags().isEmpty() ? "" : " [" + String.join(",",
                            d.snapshot().snapshot().tags()) + "]")
                    .append("  ").append(d.keep() ? "keep    " + String.join(", ", d.reasons()) : "remove")
                    .append('\n');
        }
        return out.toString();
    }

    static SnapshotRef snapshot(Instant time, String type, String source, List<String> tags) {
        Snapshot s = new Snapshot(Snapshot.VERSION, time, type, source, "db1", "postgres", List.of(), tags, List.of(),
                null, List.of(), null, null, null);
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((time + type + source + tags).getBytes());
            ByteBuffer b = ByteBuffer.wrap(h);
            return new SnapshotRef(new BlobId(b.getLong(), b.getLong(), b.getLong(), b.getLong()), s);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sourcesAreGroupedAndEachKeepsItsNewest() {
        Instant now = Instant.parse("2026-12-01T00:00:00Z");
        List<SnapshotRef> refs = List.of(
                snapshot(now.minus(Duration.ofDays(40)), "database", "shop", List.of()),
                snapshot(now.minus(Duration.ofDays(50)), "database", "billing", List.of()),
                snapshot(now.minus(Duration.ofDays(60)), "database", "billing", List.of()),
                snapshot(now.minus(Duration.ofDays(45)), "files", null, List.of()),
                snapshot(now.minus(Duration.ofDays(46)), "files", null, List.of()),
                snapshot(now.minus(Duration.ofDays(70)), "config", null, List.of("full")));
        Policy within = Policy.parse("keep-within=30d", "test");
        List<RetentionPlanner.Group> groups = RetentionPlanner.plan(refs, (k, s) -> within, now, ZoneId.of("UTC"));
        assertThat(groups).extracting(RetentionPlanner.Group::policyKey, RetentionPlanner.Group::source,
                        g -> g.kept().size(), g -> g.removed().size())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("database", "billing", 1, 1),
                        org.assertj.core.groups.Tuple.tuple("database", "shop", 1, 0),
                        org.assertj.core.groups.Tuple.tuple("files", "", 1, 1),
                        org.assertj.core.groups.Tuple.tuple("full", "", 1, 0));
    }
}
