package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Config;
import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.engine.wal.WalStreaming;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalSegmentName;
import dev.lifeboat.postgres.wal.WalStreamer;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** lifeboat wal stream: WAL from a replication slot into the repository, until stopped. */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = {"Stream WAL over the replication protocol from a physical replication slot into the "
                + "repository, until SIGTERM or SIGINT: then the WAL received is stored, confirmed to the server, and "
                + "the command exits 0.",
                "Each complete segment is stored once; the segment being filled is stored every wal.partial-interval "
                        + "while WAL flows and as soon as it pauses. The server is told WAL is flushed only once the "
                        + "repository has stored it. Reconnects when the server or the network goes away; follows "
                        + "timeline switches. The role needs the REPLICATION attribute (and a 'replication' line in "
                        + "pg_hba.conf) and must be able to connect to the database for slot monitoring.",
                "With --json, one JSON event per line: connected, slot-created, segment, partial, history, "
                        + "timeline-end, status, warning, disconnected, stopped."})
final class WalStreamCommand extends BaseCommand {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Option(names = "--slot", paramLabel = "NAME", description = "replication slot (default: wal.slot, 'lifeboat')")
    String slot;

    @Option(names = "--new-cluster", description = "accept a cluster the repository holds no WAL or backups of, "
            + "although it holds other clusters' (the database was re-created)")
    boolean newCluster;

    private WalStreaming.Request request;

    @Override
    public Integer call() {
        Config cfg = config();
        request = new WalStreaming.Request(db.connection(cfg, cli.env()),
                slot != null ? slot : cfg.get(Settings.WAL_SLOT), cfg.get(Settings.WAL_PARTIAL_INTERVAL).value(),
                cfg.get(Settings.WAL_MAX_SLOT_RETAINED).bytes(), cfg.get(Settings.WAL_STATUS_INTERVAL).value(),
                newCluster);
        try (Repository repository = openRepository()) {
            Printer printer = new Printer();
            WalStreaming streaming = new WalStreaming(repository, request, printer);
            Signals.onTerminate(streaming::stop);
            streaming.run();
            printer.event("stopped: WAL is stored up to " + printer.stored + " and confirmed to the server", "stopped",
                    "stored", printer.stored);
            return 0;
        }
    }

    /** Prints what the streamer reports: lines for people, or one JSON event per line. */
    private final class Printer implements WalStreamer.Listener {
        private Lsn stored = Lsn.ZERO;

        @Override
        public void connected(String systemId, int serverTimeline, int timeline, Lsn start) {
            event(String.format("streaming WAL of cluster %s from '%s' (slot '%s'), timeline %d from %s", systemId,
                            request.connection().display(), request.slot(), timeline, start),
                    "connected", "systemId", systemId, "serverTimeline", serverTimeline, "timeline", timeline,
                    "start", start);
        }

        @Override
        public void slotCreated(String slot) {
            event("created replication slot '" + slot + "'", "slot-created", "slot", slot);
        }

        @Override
        public void segmentStored(WalSegmentName segment) {
            stored = segment.next().start();
            event("stored segment " + segment, "segment", "name", segment.toString());
        }

        @Override
        public void partialStored(WalSegmentName segment, Lsn upTo) {
            stored = upTo;
            event(null, "partial", "name", segment.toString(), "upTo", upTo);
        }

        @Override
        public void historyStored(int timeline) {
            event(String.format("stored history file %08X.history", timeline), "history", "timeline", timeline);
        }

        @Override
        public void timelineEnded(int timeline, Lsn end) {
            event("timeline " + timeline + " ends at " + end + ": following the next timeline", "timeline-end",
                    "timeline", timeline, "end", end);
        }

        @Override
        public void status(WalStreamer.Status s) {
            event(String.format("at %s on timeline %d: %d segments stored, %s behind the server", s.stored(),
                            s.timeline(), s.segmentsStored(), Format.bytes(s.lagBytes())),
                    "status", "timeline", s.timeline(), "received", s.received(), "stored", s.stored(),
                    "serverEnd", s.serverEnd(), "lagBytes", s.lagBytes(), "segmentsStored", s.segmentsStored());
        }

        @Override
        public void warning(String message) {
            if (json) {
                event(null, "warning", "message", message);
            } else {
                cli.err().println("lifeboat: warning: " + message);
            }
        }

        @Override
        public void disconnected(String reason, Duration retryIn) {
            if (json) {
                event(null, "disconnected", "reason", reason, "retryMillis", retryIn.toMillis());
            } else if (!quiet) {
                cli.err().println("lifeboat: connection lost: " + reason + "; reconnecting in "
                        + Format.duration(retryIn.toMillis()));
            }
        }

        /** One event: a line for people (null for none), or with --json the event's name and name/value pairs. */
        void event(String line, String name, Object... pairs) {
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("event", name);
                m.put("time", Instant.now().toString());
                for (int i = 0; i + 1 < pairs.length; i += 2) {
                    m.put((String) pairs[i], pairs[i + 1]);
                }
                try {
                    cli.out().println(Json.MAPPER.writeValueAsString(m));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            } else if (line != null && !quiet) {
                cli.out().println(line);
            }
        }
    }
}
