package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.engine.retention.Forget;
import dev.lifeboat.engine.retention.Policy;
import dev.lifeboat.engine.retention.RetentionConfig;
import dev.lifeboat.engine.retention.RetentionPlanner;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.prune.Pruner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat forget: applies the retention policies. */
@Command(name = "forget", mixinStandardHelpOptions = true,
        description = {"Apply retention: remove the snapshots no rule keeps, per source, and say for each snapshot "
                + "which rule keeps it. Policies come from the retention.* settings; options here override them "
                + "for this run.",
                "Whatever the policy, the newest snapshot of each source, the newest tagged 'verified' and every "
                        + "snapshot pinned with 'lifeboat tag --pin' are kept. Space is reclaimed by prune (--prune).",
                "Exit codes: 0 done, 2 bad policy, 11 locked."})
final class ForgetCommand extends BaseCommand {
    @Option(names = "--dry-run", description = "only say what would be removed")
    boolean dryRun;

    @Option(names = "--prune", description = "prune afterwards to reclaim the space")
    boolean prune;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE",
            description = "only sources of this policy group: database, files, config, certificates or full")
    String type;

    @Option(names = "--source", paramLabel = "SOURCE", description = "only this source (a database name)")
    String source;

    @Option(names = "--keep-last", paramLabel = "N") String keepLast;
    @Option(names = "--keep-hourly", paramLabel = "N") String keepHourly;
    @Option(names = "--keep-daily", paramLabel = "N") String keepDaily;
    @Option(names = "--keep-weekly", paramLabel = "N") String keepWeekly;
    @Option(names = "--keep-monthly", paramLabel = "N") String keepMonthly;
    @Option(names = "--keep-yearly", paramLabel = "N") String keepYearly;

    @Option(names = "--keep-within", paramLabel = "DURATION",
            description = "keep snapshots younger than this: a number and a unit h, d, w, m (months) or y")
    String keepWithin;

    @Option(names = "--time-zone", paramLabel = "ZONE",
            description = "time zone of the calendar periods (default: retention.time-zone, else the system's)")
    String timeZone;

    @Option(names = "--max-unused", paramLabel = "PERCENT", defaultValue = "5%", description = "with --prune: see prune")
    String maxUnused;

    @Override
    public Integer call() {
        if (!dryRun) {
            refuseIfAppendOnly("forget");
        }
        if (type != null && !Settings.RETENTION_GROUPS.contains(type)) {
            throw LifeboatException.usage("unknown policy group '" + type + "'",
                    "use one of: " + String.join(", ", Settings.RETENTION_GROUPS));
        }
        Policy cli = Policy.NONE;
        String[][] given = {{"keep-last", keepLast}, {"keep-hourly", keepHourly}, {"keep-daily", keepDaily},
                {"keep-weekly", keepWeekly}, {"keep-monthly", keepMonthly}, {"keep-yearly", keepYearly},
                {"keep-within", keepWithin}};
        try {
            for (String[] g : given) {
                if (g[1] != null) {
                    cli = cli.with(g[0], g[1], "--" + g[0]);
                }
            }
        } catch (IllegalArgumentException e) {
            throw LifeboatException.usage(e.getMessage(), "see 'lifeboat forget --help'");
        }
        ZoneId zone = null;
        if (timeZone != null) {
            try {
                zone = ZoneId.of(timeZone);
            } catch (DateTimeException e) {
                throw LifeboatException.usage("unknown time zone '" + timeZone + "'", "use a name like Europe/Berlin or UTC");
            }
        }
        RetentionConfig config = RetentionConfig.from(config(), cli, zone);
        Pruner.Options pruneOptions = prune ? PruneCommand.options(dryRun, maxUnused, null) : null;
        try (Repository repository = openRepository()) {
            Forget.Result result;
            try (RepoLock ignored = lock(repository, false, "forget")) {
                result = new Forget(repository).run(config, g -> (type == null || type.equals(g.policyKey()))
                        && (source == null || source.equals(g.source())), Instant.now(), dryRun);
            }
            Pruner.Result pruned = null;
            if (!json) {
                report(result, config.zone());
            }
            if (prune) {
                try (RepoLock ignored = lock(repository, !dryRun, "prune")) {
                    pruned = new Pruner(repository, progress()).run(pruneOptions);
                }
            }
            if (json) {
                Map<String, Object> out = toJson(result);
                if (pruned != null) {
                    out.put("prune", PruneCommand.toJson(pruned));
                }
                printJson(out);
            } else if (pruned != null) {
                PruneCommand.report(this, pruned);
            }
            return 0;
        }
    }

    /** What forget decided, as the JSON document of {@code forget --json}. */
    private Map<String, Object> toJson(Forget.Result result) {
        List<Map<String, Object>> groups = new ArrayList<>();
        for (RetentionPlanner.Group g : result.groups()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", g.policyKey());
            m.put("type", g.type());
            m.put("host", g.host());
            m.put("source", g.source());
            m.put("policy", g.policy().toString());
            List<Map<String, Object>> decisions = new ArrayList<>();
            for (RetentionPlanner.Decision d : g.decisions()) {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("id", d.snapshot().id().hex());
                dm.put("time", d.snapshot().snapshot().time());
                dm.put("keep", d.keep());
                dm.put("reasons", d.reasons());
                decisions.add(dm);
            }
            m.put("snapshots", decisions);
            groups.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dryRun", dryRun);
        out.put("groups", groups);
        out.put("removed", result.removed());
        out.put("lockedSnapshots", result.locked());
        return out;
    }

    private void report(Forget.Result result, ZoneId zone) {
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xxx").withZone(zone);
        int removed = 0;
        for (RetentionPlanner.Group g : result.groups()) {
            say(g.label() + " (policy: " + g.policy() + ")");
            for (RetentionPlanner.Decision d : g.decisions()) {
                say(String.format("  %-6s %s  %s%s", d.keep() ? "keep" : "remove", d.snapshot().id().shortHex(),
                        time.format(d.snapshot().snapshot().time()),
                        d.keep() ? "  " + String.join(", ", d.reasons()) : ""));
            }
            removed += g.removed().size();
        }
        for (String l : result.locked()) {
            say("kept (object lock): " + l);
        }
        say((dryRun ? "would remove " : "removed ") + (dryRun ? removed : result.removed()) + " snapshot(s)");
    }
}
