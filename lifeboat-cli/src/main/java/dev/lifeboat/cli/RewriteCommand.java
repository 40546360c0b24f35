package dev.lifeboat.cli;

import dev.lifeboat.engine.files.Globs;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.rewrite.SnapshotRewriter;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.TreeReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat rewrite: stores snapshots anew without some paths (erasure). */
@Command(name = "rewrite", mixinStandardHelpOptions = true,
        description = {"Write new snapshots without the paths matching --exclude and forget the originals (erasure "
                + "of personal data). The data is gone from the repository after 'lifeboat prune --max-unused 0%%'.",
                "A pattern without '/' matches a name at any depth; one with '/' matches the whole path; a trailing "
                        + "'/' matches directories only (and takes their contents).",
                "Exit codes: 0 done, 2 bad usage, 11 locked, 14 no such snapshot."})
final class RewriteCommand extends BaseCommand {
    @Parameters(paramLabel = "SNAPSHOT", arity = "1..*", description = "snapshot ids (or 'latest')")
    List<String> snapshots;

    @Option(names = {"-e", "--exclude"}, paramLabel = "GLOB", required = true,
            description = "leave out matching paths (repeatable)")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--dry-run", description = "only list what would be left out")
    boolean dryRun;

    @Override
    public Integer call() {
        if (!dryRun) {
            refuseIfAppendOnly("rewrite");
        }
        Globs globs = new Globs(excludes, "--exclude");
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "rewrite")) {
            List<SnapshotRef> refs = new ArrayList<>();
            for (String spec : snapshots) {
                refs.add(SnapshotArg.resolve(repository, spec, null));
            }
            List<Map<String, Object>> out = new ArrayList<>();
            SnapshotRewriter rewriter = new SnapshotRewriter(repository);
            for (SnapshotRef ref : refs) {
                List<String> removed = new ArrayList<>();
                SnapshotRef replacement = null;
                if (dryRun) {
                    for (var n : TreeReader.nodes(repository, ref.snapshot())) {
                        if (globs.matches("/" + n.path(), n.path(), n.name(), n.type() == NodeType.DIR)) {
                            removed.add(n.path());
                        }
                    }
                } else {
                    var outcome = rewriter.rewrite(ref, TreeReader.nodes(repository, ref.snapshot()),
                            n -> globs.matches("/" + n.path(), n.path(), n.name(), n.type() == NodeType.DIR),
                            List.of("rewritten"));
                    removed = outcome.removed();
                    replacement = outcome.replacement();
                }
                if (removed.isEmpty()) {
                    say("snapshot " + ref.id().shortHex() + ": nothing matches, left as it is");
                } else {
                    say("snapshot " + ref.id().shortHex() + (replacement == null ? ": would leave out "
                            : " is now " + replacement.id().shortHex() + ", without ") + removed.size() + " path(s)");
                    removed.forEach(p -> say("  - " + p));
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("original", ref.id().hex());
                m.put("replacement", replacement == null ? null : replacement.id().hex());
                m.put("removed", removed);
                out.add(m);
            }
            if (json) {
                printJson(out);
            } else if (!dryRun) {
                say("run 'lifeboat prune --max-unused 0%' to remove the data from the repository");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            throw LifeboatException.usage(e.getMessage(), "see 'lifeboat rewrite --help'");
        }
    }
}
