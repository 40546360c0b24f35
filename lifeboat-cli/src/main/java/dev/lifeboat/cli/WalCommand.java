package dev.lifeboat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** lifeboat wal: continuous WAL for point-in-time recovery. */
@Command(name = "wal", mixinStandardHelpOptions = true,
        description = {"Keep the WAL of a PostgreSQL cluster in the repository, for point-in-time recovery.",
                "Either run 'wal stream' (a replication slot; the recovery point is about a second old), or set "
                        + "archive_command to 'lifeboat wal push %%p' (or the spool: 'wal push --spool', "
                        + "'wal spool'). Restores use 'wal fetch %%f %%p' as restore_command."},
        subcommands = {WalStreamCommand.class, WalPushCommand.class, WalFetchCommand.class, WalVerifyCommand.class,
                WalSpoolCommand.class})
final class WalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a wal command is required: stream, push, fetch, verify or spool");
    }
}
