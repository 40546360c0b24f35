package dev.lifeboat.cli;

import dev.lifeboat.engine.files.FileRestore;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat restore: restores a snapshot into a directory. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a snapshot into a target directory (files appear under TARGET/<original path>).")
final class RestoreCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "snapshot id (prefix) or 'latest'")
    String snapshot;

    @Option(names = "--target", paramLabel = "DIR", required = true, description = "directory to restore into")
    Path target;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "with 'latest': the newest of this type")
    String type;

    @Option(names = {"-i", "--include"}, paramLabel = "GLOB", description = "restore only matching paths (repeatable)")
    List<String> includes = new ArrayList<>();

    @Option(names = "--overwrite", description = "allow a non-empty target and replace files there")
    boolean overwrite;

    @Override
    public Integer call() {
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "restore")) {
            SnapshotRef ref = SnapshotArg.resolve(repository, snapshot, type);
            long start = System.nanoTime();
            FileRestore.Result r = new FileRestore(repository, progress())
                    .run(new FileRestore.Request(ref, target, includes, overwrite));
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("snapshot", ref.id().hex());
                out.put("target", target.toAbsolutePath().toString());
                out.put("result", r);
                out.put("durationMillis", millis);
                printJson(out);
            } else {
                say(String.format("restored snapshot %s to '%s': %d files, %d dirs, %d symlinks, %s in %s",
                        ref.id().shortHex(), target.toAbsolutePath(), r.files(), r.dirs(), r.symlinks(),
                        Format.bytes(r.bytes()), Format.duration(millis)));
            }
            if (!r.errors().isEmpty()) {
                for (String e : r.errors()) {
                    cli.err().println("error: " + e);
                }
                cli.err().println("lifeboat: restore incomplete: " + r.errors().size()
                        + " path(s) could not be restored; no damaged file was written");
                cli.err().println("HINT: run 'lifeboat check --read-data' to find every damaged object");
                return ErrorCode.INTEGRITY.exitStatus();
            }
            return 0;
        }
    }
}
