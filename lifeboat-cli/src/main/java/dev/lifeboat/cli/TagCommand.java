package dev.lifeboat.cli;

import dev.lifeboat.engine.retention.RetentionPlanner;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.rewrite.SnapshotRewriter;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat tag: changes the tags of snapshots. */
@Command(name = "tag", mixinStandardHelpOptions = true,
        description = {"Add or remove tags of snapshots. A pinned snapshot (tag 'pinned') is never removed by "
                + "retention. The snapshot is stored anew with the new tags (so its id changes) and the old "
                + "object is deleted afterwards."})
final class TagCommand extends BaseCommand {
    @Parameters(paramLabel = "SNAPSHOT", arity = "1..*", description = "snapshot ids (or 'latest')")
    List<String> snapshots;

    @Option(names = "--add", paramLabel = "TAG", description = "add a tag (repeatable)")
    List<String> add = new ArrayList<>();

    @Option(names = "--remove", paramLabel = "TAG", description = "remove a tag (repeatable)")
    List<String> remove = new ArrayList<>();

    @Option(names = "--pin", description = "pin: retention never removes the snapshot")
    boolean pin;

    @Option(names = "--unpin", description = "unpin")
    boolean unpin;

    @Override
    public Integer call() {
        refuseIfAppendOnly("tag");
        if (pin) {
            add.add(RetentionPlanner.PINNED_TAG);
        }
        if (unpin) {
            remove.add(RetentionPlanner.PINNED_TAG);
        }
        if (add.isEmpty() && remove.isEmpty()) {
            throw LifeboatException.usage("no change given", "pass --add TAG, --remove TAG, --pin or --unpin");
        }
        for (String t : add) {
            if (t.isBlank() || t.contains(",") || remove.contains(t)) {
                throw LifeboatException.usage("invalid tag '" + t + "'",
                        "a tag is a non-empty word without commas, and cannot be added and removed at once");
            }
        }
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "tag")) {
            List<Map<String, Object>> out = new ArrayList<>();
            SnapshotRewriter rewriter = new SnapshotRewriter(repository);
            for (String spec : snapshots) {
                SnapshotRef ref = SnapshotArg.resolve(repository, spec, null);
                SnapshotRef updated = rewriter.replace(ref,
                        SnapshotRewriter.withTags(ref.snapshot(), add, remove));
                say("snapshot " + ref.id().shortHex() + " is now " + updated.id().shortHex() + " ["
                        + String.join(",", updated.snapshot().tags()) + "]");
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("original", ref.id().hex());
                m.put("id", updated.id().hex());
                m.put("tags", updated.snapshot().tags());
                out.add(m);
            }
            if (json) {
                printJson(out);
            }
            return 0;
        }
    }
}
