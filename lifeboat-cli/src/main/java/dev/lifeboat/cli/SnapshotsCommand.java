package dev.lifeboat.cli;

import dev.lifeboat.engine.files.SourceType;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat snapshots: lists snapshots. */
@Command(name = "snapshots", mixinStandardHelpOptions = true, description = "List snapshots.")
final class SnapshotsCommand extends BaseCommand {
    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "only snapshots of this type")
    String type;

    @Option(names = "--tag", paramLabel = "TAG", description = "only snapshots with this tag")
    String tag;

    @Override
    public Integer call() {
        if (type != null) {
            SourceType.parse(type);
        }
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "snapshots")) {
            List<SnapshotRef> refs = new ArrayList<>();
            var listing = new dev.lifeboat.repo.snapshot.SnapshotStore(repository).listing();
            listing.damaged().forEach((id, why) -> cli.err().println("warning: snapshot " + id.shortHex()
                    + " cannot be read: " + why));
            for (SnapshotRef r : listing.snapshots()) {
                Snapshot s = r.snapshot();
                if ((type == null || type.equals(s.type())) && (tag == null || s.tags().contains(tag))) {
                    refs.add(r);
                }
            }
            if (json) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (SnapshotRef r : refs) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", r.id().hex());
                    m.put("snapshot", r.snapshot());
                    m.put("soonestCertificateExpiry", CertificateReport.soonestExpiry(r.snapshot()));
                    out.add(m);
                }
                printJson(out);
                return 0;
            }
            say(String.format("%-8s  %-19s  %-12s  %-16s  %9s  %-8s  %s", "ID", "TIME", "TYPE", "HOST", "SIZE", "AGE",
                    "PATHS / TAGS"));
            Instant soonest = null;
            for (SnapshotRef r : refs) {
                Snapshot s = r.snapshot();
                String tags = s.tags().isEmpty() ? "" : "  [" + String.join(",", s.tags()) + "]";
                say(String.format("%-8s  %-19s  %-12s  %-16s  %9s  %-8s  %s%s", r.id().shortHex(), Format.time(s.time()),
                        s.type(), truncate(s.hostname(), 16), s.summary() == null ? "" : Format.bytes(s.summary().bytes()),
                        Format.duration(Duration.between(s.time(), Instant.now()).toMillis()),
                        String.join(" ", s.paths()), tags));
                Instant e = CertificateReport.soonestExpiry(s);
                if (e != null && (soonest == null || e.isBefore(soonest))) {
                    soonest = e;
                }
            }
            say(refs.size() + " snapshot(s)");
            if (soonest != null) {
                say("soonest certificate expiry: " + Format.time(soonest) + " ("
                        + Duration.between(Instant.now(), soonest).toDays() + " days)");
            }
            return 0;
        }
    }

    private static String truncate(String s, int n) {
        return s == null ? "" : s.length() <= n ? s : s.substring(0, n);
    }
}
