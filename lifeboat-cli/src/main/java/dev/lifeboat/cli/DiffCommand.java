package dev.lifeboat.cli;

import dev.lifeboat.engine.files.SnapshotDiff;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat diff: shows what changed between two snapshots. */
@Command(name = "diff", mixinStandardHelpOptions = true, description = "Show the differences between two snapshots.")
final class DiffCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "FROM", description = "the older snapshot")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "the newer snapshot")
    String to;

    @Override
    public Integer call() {
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "diff")) {
            SnapshotRef a = SnapshotArg.resolve(repository, from, null);
            SnapshotRef b = SnapshotArg.resolve(repository, to, null);
            List<SnapshotDiff.Change> changes = new ArrayList<>();
            Map<SnapshotDiff.Kind, Integer> counts = new EnumMap<>(SnapshotDiff.Kind.class);
            long[] delta = {0};
            SnapshotDiff.compare(repository, a.snapshot(), b.snapshot(), c -> {
                counts.merge(c.kind(), 1, Integer::sum);
                delta[0] += c.sizeDelta();
                if (json) {
                    changes.add(c);
                } else {
                    say(String.format("%-2s /%s", c.kind().symbol(), c.path()));
                }
            });
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("from", a.id().hex());
                out.put("to", b.id().hex());
                out.put("changes", changes);
                out.put("counts", counts);
                out.put("sizeDelta", delta[0]);
                printJson(out);
            } else {
                say(String.format("%d added, %d removed, %d modified, %d type changed, %d metadata only; size %s%s",
                        counts.getOrDefault(SnapshotDiff.Kind.ADDED, 0), counts.getOrDefault(SnapshotDiff.Kind.REMOVED, 0),
                        counts.getOrDefault(SnapshotDiff.Kind.MODIFIED, 0),
                        counts.getOrDefault(SnapshotDiff.Kind.TYPE_CHANGED, 0),
                        counts.getOrDefault(SnapshotDiff.Kind.METADATA, 0), delta[0] >= 0 ? "+" : "-",
                        Format.bytes(Math.abs(delta[0]))));
            }
            return 0;
        }
    }
}
