package dev.lifeboat.cli;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;

/** lifeboat unlock: removes stale locks. */
@Command(name = "unlock", mixinStandardHelpOptions = true,
        description = "Remove stale locks (expired leases, or dead processes on this host).")
final class UnlockCommand extends BaseCommand {
    @Option(names = "--remove-all", description = "remove every lock, also live ones: only when you are sure "
            + "no other Lifeboat process uses the repository")
    boolean all;

    @Override
    public Integer call() {
        try (Repository repository = openRepository()) {
            List<RepoLock.Held> removed = RepoLock.removeLocks(repository.backend(), all);
            if (json) {
                printJson(Map.of("removed", removed.stream().map(h -> h.name().name()).toList()));
            } else {
                for (RepoLock.Held h : removed) {
                    say("removed " + (h.info() == null ? "unreadable lock " + h.name().name() : h.info().describe()));
                }
                say(removed.size() + " lock(s) removed");
            }
            if (!all && !RepoLock.list(repository.backend()).isEmpty()) {
                cli.err().println("note: live locks remain; pass --remove-all to remove them too");
            }
            return 0;
        } catch (LifeboatException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return 0;
            }
            throw e;
        }
    }
}
