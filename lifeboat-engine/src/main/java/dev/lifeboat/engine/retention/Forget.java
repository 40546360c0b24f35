package dev.lifeboat.engine.retention;

import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.Retention;
import dev.lifeboat.repo.snapshot.SnapshotStore;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Applies retention to a repository: plans with {@link RetentionPlanner} and deletes the snapshot objects
 * of the snapshots no rule keeps. Only snapshot objects are deleted; their data goes with the next prune.
 * A snapshot that S3 object lock protects is left in place and reported.
 */
public final class Forget {
    private final Repository repo;

    public Forget(Repository repo) {
        this.repo = repo;
    }

    /** The plan, and what could not be deleted because object lock protects it. */
    public record Result(List<RetentionPlanner.Group> groups, List<String> locked, int removed) {
    }

    /**
     * Plans and (unless dry run) forgets.
     *
     * @param select which groups to apply retention to (the others keep everything and are not listed)
     */
    public Result run(RetentionConfig config, Predicate<RetentionPlanner.Group> select, Instant now, boolean dryRun) {
        ZoneId zone = config.zone();
        List<RetentionPlanner.Group> groups = RetentionPlanner.plan(new SnapshotStore(repo).list(), config, now, zone)
                .stream().filter(select).toList();
        List<String> locked = new ArrayList<>();
        int removed = 0;
        if (!dryRun) {
            for (RetentionPlanner.Group g : groups) {
                for (RetentionPlanner.Decision d : g.removed()) {
                    ObjectName name = new ObjectName(ObjectKind.SNAPSHOT, d.snapshot().id().hex());
                    Retention r = repo.backend().retention(name);
                    if (r != null && r.protectsAt(now)) {
                        locked.add(d.snapshot().id().shortHex() + " (locked until " + r.until() + ")");
                        continue;
                    }
                    repo.backend().delete(name);
                    removed++;
                }
            }
        }
        return new Result(groups, locked, removed);
    }
}
