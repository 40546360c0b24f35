package dev.lifeboat.cli;

import dev.lifeboat.engine.wal.WalArchive;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** lifeboat wal fetch: restore_command. */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Write one WAL file from the repository: restore_command = 'lifeboat wal fetch %%f %%p'.",
                "Exits 1 when the repository does not have the file (PostgreSQL then ends or waits for more WAL). "
                        + "Any other failure (wrong password, storage down, damaged object) exits "
                        + WalFetchCommand.FAILED + ", which makes PostgreSQL stop recovery rather than end it early "
                        + "and promote at an older point.",
                "Partial segments are never written as a segment. The file is written to a temporary name and "
                        + "renamed, so the server never reads half of it."})
final class WalFetchCommand extends BaseCommand {
    /** PostgreSQL treats exit statuses above 125 from restore_command as fatal to recovery. */
    static final int FAILED = 126;

    @Parameters(index = "0", paramLabel = "FILE", description = "the WAL file name (%%f)")
    String name;

    @Parameters(index = "1", paramLabel = "PATH", description = "where to write it (%%p)")
    Path target;

    @Option(names = "--system-id", paramLabel = "ID",
            description = "the cluster's system identifier (default: read from the data directory's pg_control)")
    String systemId;

    @Override
    public Integer call() {
        try (Repository repository = openRepository()) {
            byte[] content = new WalArchive(repository).fetch(WalFiles.systemId(systemId, target), name);
            WalFiles.writeAtomically(target, content);
            say("fetched WAL file " + name);
            return 0;
        } catch (LifeboatException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                cli.err().println("lifeboat: " + e.getMessage());
                return 1;
            }
            Main.report(cli, e);
            return FAILED;
        }
    }
}
