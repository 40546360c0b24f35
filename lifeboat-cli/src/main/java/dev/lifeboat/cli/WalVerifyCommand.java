package dev.lifeboat.cli;

import dev.lifeboat.engine.wal.WalVerifier;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.stream.Collectors;

/** lifeboat wal verify: continuity of the repository's WAL. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check that the repository's WAL is continuous, per cluster and timeline, from the oldest "
                + "physical base backup (or the oldest segment) to the newest WAL, following timeline history files.",
                "Exits 13 and names the first missing segment when there is a gap."})
final class WalVerifyCommand extends BaseCommand {
    @Option(names = "--system-id", paramLabel = "ID", description = "check only this cluster (default: every cluster)")
    String systemId;

    @Override
    public Integer call() {
        try (Repository repository = openRepository()) {
            WalVerifier.Report report = new WalVerifier(repository).verify(systemId);
            if (json) {
                printJson(report);
            } else {
                print(report);
            }
            for (WalVerifier.ClusterReport c : report.clusters()) {
                if (!c.gaps().isEmpty()) {
                    WalVerifier.Gap g = c.gaps().get(0);
                    throw new LifeboatException(ErrorCode.INTEGRITY, "the WAL of cluster " + c.systemId()
                            + " has a gap: segment " + g.firstMissing() + " is missing" + (g.segments() > 1
                            ? " (" + g.segments() + " segments, up to " + g.lastMissing() + ")" : ""),
                            "recovery cannot pass a gap: point-in-time recovery reaches only the WAL before it, and base "
                                    + "backups taken after it; take a new base backup");
                }
                if (!c.problems().isEmpty()) {
                    throw new LifeboatException(ErrorCode.INTEGRITY, "the WAL of cluster " + c.systemId() + ": "
                            + c.problems().get(0), "recovery onto that timeline is not possible without it");
                }
            }
            return 0;
        }
    }

    private void print(WalVerifier.Report report) {
        if (report.clusters().isEmpty()) {
            say("the repository holds no WAL");
        }
        for (WalVerifier.ClusterReport c : report.clusters()) {
            for (WalVerifier.Chain ch : c.chains()) {
                say(String.format("cluster %s, timeline %d%s, from %s: %s .. %s, %d segments%s", c.systemId(),
                        ch.timeline(), history(ch.timelines()), ch.from(), ch.first(), ch.last(), ch.segments(),
                        ch.partial() == null ? "" : ", then " + ch.partial()));
            }
            for (WalVerifier.Gap g : c.gaps()) {
                say(String.format("cluster %s, timeline %d: gap: %s%s missing", c.systemId(), g.timeline(),
                        g.firstMissing(), g.segments() > 1 ? " .. " + g.lastMissing() + " (" + g.segments()
                                + " segments)" : ""));
            }
            for (String p : c.problems()) {
                say("cluster " + c.systemId() + ": " + p);
            }
            if (c.ok()) {
                say("cluster " + c.systemId() + ": WAL is continuous");
            }
        }
    }

    private static String history(List<Integer> timelines) {
        return timelines.size() < 2 ? "" : " (history " + timelines.stream().map(String::valueOf)
                .collect(Collectors.joining(" > ")) + ")";
    }
}
