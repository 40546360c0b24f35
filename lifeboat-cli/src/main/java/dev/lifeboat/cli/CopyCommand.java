package dev.lifeboat.cli;

import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.copy.SnapshotCopier;
import dev.lifeboat.repo.copy.WalCopier;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat copy: copies snapshots to another repository (an off-site copy). */
@Command(name = "copy", mixinStandardHelpOptions = true,
        description = {"Copy snapshots to another repository (local or s3://), which may have another password.",
                "Blobs the destination holds are not stored again; snapshots copied before are skipped. Chunk "
                        + "boundaries stay those of the source repository. Physical backups bring the WAL they "
                        + "need (from the oldest one's start on), so the copy restores to the same points in time."})
final class CopyCommand extends BaseCommand {
    @Option(names = "--to", paramLabel = "REPO", required = true, description = "the destination repository")
    String to;

    @Option(names = "--to-password-file", paramLabel = "FILE",
            description = "read the destination's password from FILE (else LIFEBOAT_TO_PASSWORD, else the "
                    + "source's password)")
    Path toPasswordFile;

    @Parameters(paramLabel = "SNAPSHOT", arity = "0..*",
            description = "snapshots to copy: id prefixes or 'latest' (default: every snapshot)")
    List<String> snapshots = new ArrayList<>();

    @Override
    public Integer call() {
        try (Repository source = openRepository();
             RepoLock ignored = lock(source, false, "copy");
             Repository destination = openDestination(to, toPasswordFile, "--to-password-file");
             RepoLock ignoredToo = lock(destination, false, "copy")) {
            List<SnapshotRef> selected = snapshots.isEmpty() ? new SnapshotStore(source).list()
                    : snapshots.stream().map(s -> SnapshotArg.resolve(source, s, null)).distinct().toList();
            List<SnapshotCopier.Outcome> outcomes = new SnapshotCopier(source, destination, progress()).copy(selected);
            WalCopier.Outcome wal = new WalCopier(source, destination).copy(selected);
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                List<Map<String, Object>> rows = new ArrayList<>();
                for (SnapshotCopier.Outcome o : outcomes) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("source", o.source().hex());
                    row.put("copy", o.copy().hex());
                    row.put("skipped", o.skipped());
                    row.put("newBlobs", o.newBlobs());
                    row.put("storedBytes", o.storedBytes());
                    rows.add(row);
                }
                doc.put("snapshots", rows);
                doc.put("wal", Map.of("copied", wal.copied(), "alreadyPresent", wal.alreadyPresent(),
                        "bytes", wal.bytes()));
                printJson(doc);
            }
            for (SnapshotCopier.Outcome o : outcomes) {
                say(o.skipped()
                        ? "snapshot " + o.source().shortHex() + " is already in '" + destination.backend().location()
                                + "' as " + o.copy().shortHex()
                        : "copied snapshot " + o.source().shortHex() + " to " + o.copy().shortHex() + " ("
                                + o.newBlobs() + " new blobs, " + Format.bytes(o.storedBytes()) + " stored)");
            }
            if (wal.copied() + wal.alreadyPresent() > 0) {
                say("copied " + wal.copied() + " WAL files (" + Format.bytes(wal.bytes()) + ") the physical backups need; "
                        + wal.alreadyPresent() + " were already there");
            }
            return 0;
        }
    }
}
