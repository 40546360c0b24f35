package dev.lifeboat.cli;

import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.TreeReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** lifeboat ls: lists the contents of a snapshot. */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List the files in a snapshot.")
final class LsCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "snapshot id (prefix) or 'latest'")
    String snapshot;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "with 'latest': the newest of this type")
    String type;

    @Option(names = {"-l", "--long"}, description = "show mode, owner, size and time")
    boolean longFormat;

    @Override
    public Integer call() {
        if (type != null) {
            dev.lifeboat.engine.files.SourceType.parse(type);
        }
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "ls")) {
            SnapshotRef ref = SnapshotArg.resolve(repository, snapshot, type);
            List<Node> nodes = new ArrayList<>();
            for (Node n : TreeReader.nodes(repository, ref.snapshot())) {
                if (json) {
                    nodes.add(n);
                } else if (longFormat) {
                    say(String.format("%s %-8s %-8s %12d %s /%s%s", mode(n), n.user(), n.group(), n.size(),
                            Format.time(Instant.ofEpochSecond(0, n.mtime())), n.path(),
                            n.type() == NodeType.SYMLINK ? " -> " + n.target() : ""));
                } else {
                    say("/" + n.path());
                }
            }
            if (json) {
                printJson(nodes);
            }
            return 0;
        }
    }

    static String mode(Node n) {
        char t = switch (n.type()) {
            case DIR -> 'd';
            case SYMLINK -> 'l';
            case FILE -> '-';
        };
        StringBuilder sb = new StringBuilder().append(t);
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((n.mode() & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return sb.toString();
    }
}
