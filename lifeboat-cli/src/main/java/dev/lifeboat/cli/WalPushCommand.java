package dev.lifeboat.cli;

import dev.lifeboat.engine.wal.WalArchive;
import dev.lifeboat.engine.wal.WalSpool;
import dev.lifeboat.repo.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** lifeboat wal push: archive_command. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Store one WAL file the server archived: archive_command = 'lifeboat wal push %%p'.",
                "A segment's first page must name its place and cluster; a history file's cluster is that of the data "
                        + "directory the command runs in. Pushing the same file twice succeeds; a file whose content "
                        + "differs from what the repository holds under its name is refused (exit 13).",
                "Each push starts a JVM and derives the repository key, seconds per segment: for real WAL rates let "
                        + "archive_command run scripts/lifeboat-wal-spool (or 'wal push --spool DIR %%p') with "
                        + "'lifeboat wal spool DIR' running beside the server, or use 'wal stream'."})
final class WalPushCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "the WAL file (%%p)")
    Path file;

    @Option(names = "--spool", paramLabel = "DIR",
            description = "only copy the file, checked and flushed, into the spool folder DIR, which 'lifeboat wal "
                    + "spool' uploads; no repository access, no key derivation")
    Path spool;

    @Option(names = "--system-id", paramLabel = "ID",
            description = "the cluster's system identifier (default: read from the data directory's pg_control)")
    String systemId;

    @Option(names = "--new-cluster", description = "accept a cluster the repository holds no WAL or backups of, "
            + "although it holds other clusters' (the database was re-created)")
    boolean newCluster;

    @Override
    public Integer call() {
        byte[] content = WalFiles.read(file);
        String name = file.getFileName().toString();
        String sysid = WalFiles.systemId(systemId, file);
        if (spool != null) {
            boolean kept = new WalSpool(spool).add(name, content, sysid);
            report(name, null, kept ? "spooled" : "skipped");
            return 0;
        }
        try (Repository repository = openRepository()) {
            WalArchive.Pushed p = new WalArchive(repository).push(name, content, sysid, newCluster);
            report(name, p.systemId(), switch (p.outcome()) {
                case STORED -> "stored";
                case ALREADY_STORED -> "already stored";
                case SKIPPED -> "skipped";
            });
            return 0;
        }
    }

    private void report(String name, String cluster, String outcome) {
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("file", name);
            out.put("systemId", cluster);
            out.put("outcome", outcome);
            printJson(out);
        } else if (!quiet) {
            say(outcome + " WAL file " + name + (cluster == null ? "" : " of cluster " + cluster));
        }
    }
}
