package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.engine.wal.WalArchive;
import dev.lifeboat.engine.wal.WalSpool;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** lifeboat wal spool: uploads what archive_command spooled. */
@Command(name = "spool", mixinStandardHelpOptions = true,
        description = {"Upload the WAL files archive_command put in a spool folder ('wal push --spool DIR %%p', or "
                + "the script scripts/lifeboat-wal-spool) into the repository, removing each once stored; runs until "
                + "SIGTERM or SIGINT (then exits 0), or with --once until the folder is empty.",
                "Opening the repository once makes each segment cost a copy on the server and an upload here, "
                        + "instead of a JVM start and a key derivation per segment."})
final class WalSpoolCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "the spool folder (default: wal.spool-dir)")
    Path dir;

    @Option(names = "--once", description = "upload what is there now, then exit")
    boolean once;

    @Option(names = "--new-cluster", description = "accept a cluster the repository holds no WAL or backups of, "
            + "although it holds other clusters' (the database was re-created)")
    boolean newCluster;

    @Override
    public Integer call() {
        Path folder = dir;
        if (folder == null) {
            String configured = config().get(Settings.WAL_SPOOL_DIR);
            if (configured == null) {
                throw LifeboatException.usage("no spool folder given", "pass DIR or set wal.spool-dir");
            }
            folder = Path.of(configured);
        }
        WalSpool spool = new WalSpool(folder);
        AtomicReference<LifeboatException> firstFailure = new AtomicReference<>();
        Set<String> reported = ConcurrentHashMap.newKeySet();
        WalSpool.Listener listener = new WalSpool.Listener() {
            @Override
            public void pushed(WalArchive.Pushed p) {
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", p.file());
                    m.put("systemId", p.systemId());
                    m.put("outcome", p.outcome().name().toLowerCase());
                    printJson(m);
                } else if (!quiet) {
                    say(p.outcome().name().toLowerCase().replace('_', ' ') + " WAL file " + p.file() + " of cluster "
                            + p.systemId());
                }
            }

            @Override
            public void failed(String file, LifeboatException error) {
                firstFailure.compareAndSet(null, error);
                // a file that keeps failing is tried on every pass: say so once
                if (!reported.add(file + "\n" + error.getMessage())) {
                    return;
                }
                cli.err().println("lifeboat: cannot upload '" + file + "': " + error.getMessage());
                if (error.hint() != null) {
                    cli.err().println("HINT: " + error.hint());
                }
            }
        };
        try (Repository repository = openRepository()) {
            WalArchive archive = new WalArchive(repository);
            if (once) {
                spool.drain(archive, newCluster, listener);
                if (firstFailure.get() != null) {
                    throw firstFailure.get();
                }
                return 0;
            }
            AtomicBoolean stop = new AtomicBoolean();
            Signals.onTerminate(() -> stop.set(true));
            spool.run(archive, newCluster, listener, Duration.ofMillis(200), stop::get);
            return 0;
        }
    }
}
