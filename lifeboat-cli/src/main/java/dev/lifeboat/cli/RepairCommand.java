package dev.lifeboat.cli;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.repair.IndexRepair;
import dev.lifeboat.repo.repair.SnapshotRepair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat repair: rebuilds the index, or rewrites snapshots without references to missing data. */
@Command(name = "repair", mixinStandardHelpOptions = true,
        description = {"Repair a damaged repository (takes an exclusive lock).",
                "repair index: rebuild the index from the packs' own headers (after lost or damaged index objects).",
                "repair snapshots: rewrite snapshots that name missing data without those files (tagged "
                        + "'repaired'), and list every file removed. Run 'repair index' first.",
                "Exit codes: 0 done, 2 bad usage, 11 locked."})
final class RepairCommand extends BaseCommand {
    @Parameters(paramLabel = "WHAT", description = "index or snapshots")
    String what;

    @Option(names = "--dry-run", description = "repair snapshots: only list what would change")
    boolean dryRun;

    @Override
    public Integer call() {
        refuseIfAppendOnly("repair");
        if (!what.equals("index") && !what.equals("snapshots")) {
            throw LifeboatException.usage("unknown repair '" + what + "'", "use 'repair index' or 'repair snapshots'");
        }
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, true, "repair " + what)) {
            if (what.equals("index")) {
                IndexRepair.Result r = new IndexRepair(repository, progress()).run();
                if (json) {
                    printJson(r);
                } else {
                    r.damagedPacks().forEach((pack, why) -> say("pack " + pack + " left out: " + why));
                    say("index rebuilt from " + r.packs() + " pack(s), " + r.blobs() + " blob(s): "
                            + r.indexObjectsWritten() + " index object(s) written, " + r.indexObjectsDeleted()
                            + " replaced");
                }
                return 0;
            }
            List<SnapshotRepair.Repaired> repaired = new SnapshotRepair(repository).run(dryRun);
            List<Map<String, Object>> out = new ArrayList<>();
            for (SnapshotRepair.Repaired r : repaired) {
                say("snapshot " + r.original().id().shortHex()
                        + (r.replacement() == null ? " needs repair" : " repaired as " + r.replacement().id().shortHex()));
                r.removedFiles().forEach(f -> say("  removed '" + f + "' (its data is missing)"));
                r.lostTreeBlobs().forEach(t -> say("  tree blob " + t.substring(0, 8)
                        + " is missing: the entries it held are lost"));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("original", r.original().id().hex());
                m.put("replacement", r.replacement() == null ? null : r.replacement().id().hex());
                m.put("removedFiles", r.removedFiles());
                m.put("lostTreeBlobs", r.lostTreeBlobs());
                out.add(m);
            }
            if (json) {
                printJson(out);
            } else {
                say(repaired.size() + " snapshot(s) " + (dryRun ? "need repair" : "repaired"));
            }
            return 0;
        }
    }
}
