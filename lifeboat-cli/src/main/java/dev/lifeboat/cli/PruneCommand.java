package dev.lifeboat.cli;

import dev.lifeboat.engine.config.DataSize;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.prune.Pruner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** lifeboat prune: removes data no snapshot needs. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Remove data no snapshot needs: unreferenced blobs (repacking partly used packs), packs left "
                + "by interrupted backups, superseded index objects, and WAL older than the oldest physical backup.",
                "Takes an exclusive lock for the whole run (backups wait or fail; see --lock-wait). New packs and "
                        + "index objects are written before anything is deleted, so an interrupted prune loses nothing "
                        + "and the next one finishes the job.",
                "Exit codes: 0 done, 11 locked, 13 the repository is damaged (nothing was deleted)."})
final class PruneCommand extends BaseCommand {
    @Option(names = "--dry-run", description = "only say what would be removed")
    boolean dryRun;

    @Option(names = "--max-unused", paramLabel = "PERCENT", defaultValue = "5%",
            description = "unused space tolerated in the packs that stay; 0%% repacks every partly used pack, which "
                    + "erasure needs (default: ${DEFAULT-VALUE})")
    String maxUnused;

    @Option(names = "--max-repack", paramLabel = "SIZE",
            description = "read at most this many pack bytes for repacking in this run, e.g. 10GB (default: no limit)")
    String maxRepack;

    @Override
    public Integer call() {
        Pruner.Options options = options(dryRun, maxUnused, maxRepack);
        if (!dryRun) {
            refuseIfAppendOnly("prune");
        }
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, !dryRun, "prune")) {
            report(this, new Pruner(repository, progress()).run(options));
            return 0;
        }
    }

    static Pruner.Options options(boolean dryRun, String maxUnused, String maxRepack) {
        String u = maxUnused.trim();
        double share;
        try {
            share = u.endsWith("%") ? Double.parseDouble(u.substring(0, u.length() - 1)) / 100 : Double.parseDouble(u);
        } catch (NumberFormatException e) {
            throw LifeboatException.usage("invalid --max-unused '" + maxUnused + "'", "give a percentage such as 5%");
        }
        long repack = Long.MAX_VALUE;
        if (maxRepack != null) {
            try {
                repack = DataSize.parse("--max-repack", maxRepack).bytes();
            } catch (IllegalArgumentException e) {
                throw LifeboatException.usage(e.getMessage(), "give a size such as 500MB or 10GB");
            }
        }
        return new Pruner.Options(dryRun, share, repack);
    }

    /** What prune did, as the JSON document of {@code prune --json} (and the "prune" field of forget's). */
    static Map<String, Object> toJson(Pruner.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", r.dryRun());
        m.put("plan", r.plan());
        m.put("packsWritten", r.packsWritten());
        m.put("indexObjectsWritten", r.indexObjectsWritten());
        m.put("objectsDeleted", r.objectsDeleted());
        m.put("lockedObjects", r.lockedObjects());
        return m;
    }

    /** Prints what a prune did or would do. */
    static void report(BaseCommand cmd, Pruner.Result r) {
        Pruner.Plan p = r.plan();
        if (cmd.json) {
            cmd.printJson(toJson(r));
            return;
        }
        String verb = r.dryRun() ? "would " : "";
        cmd.say(p.snapshots() + " snapshot(s), " + p.blobs() + " blob(s) in " + p.packs() + " pack(s) ("
                + Format.bytes(p.packBytes()) + "), " + p.usedBlobs() + " blob(s) in use ("
                + Format.bytes(p.usedBytes()) + ")");
        cmd.say(verb + "delete " + p.packsToDelete() + " unused pack(s) and " + p.unindexedPacks()
                + " pack(s) in no index, " + verb + "repack " + p.packsToRepack() + " partly used pack(s) ("
                + Format.bytes(p.bytesToRepack()) + " read)");
        cmd.say(verb + "replace " + p.indexObjectsToReplace() + " index object(s), " + verb + "delete "
                + p.walToDelete() + " WAL file(s) no physical backup needs");
        cmd.say((r.dryRun() ? "would free " : "freed ") + Format.bytes(p.bytesToFree()));
        for (String l : r.lockedObjects()) {
            cmd.say("kept (object lock): " + l);
        }
    }
}
