package dev.lifeboat.postgres.wal;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.physical.WalHeader;
import org.postgresql.copy.CopyDual;

import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Receives WAL from a PostgreSQL server over the physical replication protocol, through a replication slot,
 * and hands it to a {@link WalSink}: each complete segment once, and the segment being filled as a partial
 * segment at least every {@link Options#partialInterval()} while WAL flows and as soon as the flow pauses.
 *
 * <p>It creates the slot when missing (reserving WAL at once), resumes after the last complete segment the
 * sink holds (or at the slot's restart LSN when the sink holds none), follows timeline switches by storing
 * each timeline's history file and streaming every timeline of the server's history in turn, reconnects with
 * a growing delay when the server or the network goes away, and warns when the slot retains more WAL on the
 * server than {@link Options#maxSlotRetained()}.
 *
 * <p><b>The flush position it confirms to the server never passes what the sink has durably stored.</b> The
 * server may recycle WAL before a physical slot's confirmed flush position, so the position sent in a standby
 * status update is only ever the end of data for which a {@link WalSink} call has returned; received WAL that
 * is not yet stored is reported as written, never as flushed.
 */
public final class WalStreamer {
    private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");
    /** How long to sleep when no message is waiting. */
    private static final long POLL_MILLIS = 10;
    /** A pause in the flow this long stores the partial segment at once. */
    private static final long IDLE_NANOS = Duration.ofMillis(100).toNanos();
    /** A safety net only: reads are non-blocking, but a message that starts must finish within this. */
    private static final int READ_TIMEOUT_MILLIS = 60_000;
    private static final long CHECK_NANOS = Duration.ofSeconds(10).toNanos();
    private static final long REWARN_NANOS = Duration.ofMinutes(10).toNanos();
    private static final Duration RETRY_MIN = Duration.ofMillis(500);
    /** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    private final ConnectionSpec spec;
    private final WalSink sink;
    private final Options options;
    private final Listener listener;
    private final Object wakeup = new Object();
    private volatile boolean stopping;

    private String systemId;
    private long segmentSize;
    private byte[] buffer;
    /** Per timeline, the end of the WAL durably stored on it. */
    private final Map<Integer, Lsn> reached = new HashMap<>();
    private final Set<Integer> historiesStored = new HashSet<>();
    /** Set when the server no longer has the WAL after what is stored: streaming skips to the slot. */
    private Lsn skipTo;
    private long segmentsStored;
    private long lastRetentionWarning;

    /**
     * How to stream.
     *
     * @param slot            the physical replication slot, created when missing
     * @param partialInterval how often the partial segment is stored while WAL flows
     * @param maxSlotRetained warn when the slot keeps more than this many bytes of WAL on the server (0: never)
     * @param statusInterval  how often a status is reported to the listener (and at least sent to the server)
     * @param retryMax        the longest wait between reconnection attempts
     */
    public record Options(String slot, Duration partialInterval, long maxSlotRetained, Duration statusInterval,
                          Duration retryMax) {
        public Options {
            if (slot == null || !SLOT.matcher(slot).matches()) {
                throw LifeboatException.usage("invalid replication slot name '" + slot + "'",
                        "use 1 to 63 lower-case letters, digits and underscores");
            }
            if (partialInterval.isNegative() || partialInterval.isZero() || statusInterval.isNegative()
                    || statusInterval.isZero() || retryMax.compareTo(RETRY_MIN) < 0 || maxSlotRetained < 0) {
                throw new IllegalArgumentException("intervals must be positive and the retained limit not negative");
            }
        }
    }

    /** Where streaming stands. */
    public record Status(int timeline, Lsn received, Lsn stored, Lsn serverEnd, long segmentsStored) {
        /** Bytes of WAL the server has that are not stored yet. */
        public long lagBytes() {
            return serverEnd == null ? 0 : Math.max(0, serverEnd.value() - stored.value());
        }
    }

    /** What the streamer reports; called on the streaming thread, so implementations must return quickly. */
    public interface Listener {
        default void connected(String systemId, int serverTimeline, int timeline, Lsn start) {
        }

        default void slotCreated(String slot) {
        }

        default void segmentStored(WalSegmentName segment) {
        }

        default void partialStored(WalSegmentName segment, Lsn upTo) {
        }

        default void historyStored(int timeline) {
        }

        default void timelineEnded(int timeline, Lsn end) {
        }

        default void status(Status status) {
        }

        default void warning(String message) {
        }

        default void disconnected(String reason, Duration retryIn) {
        }
    }

    public WalStreamer(ConnectionSpec spec, WalSink sink, Options options, Listener listener) {
        this.spec = spec;
        this.sink = sink;
        this.options = options;
        this.listener = listener;
    }

    /**
     * Streams until {@link #stop()} is called, then stores what was received, confirms it to the server and
     * returns.
     *
     * @throws LifeboatException on a failure that retrying cannot fix: a refused login or missing privilege,
     *                           another cluster than the sink expects, WAL the sink refuses
     */
    public void run() {
        Duration delay = RETRY_MIN;
        while (!stopping) {
            long storedBefore = segmentsStored;
            Lsn durableBefore = durable();
            String failure;
            try {
                session();
                delay = RETRY_MIN;
                continue;
            } catch (SQLException e) {
                if (permanent(e)) {
                    throw spec.error(e);
                }
                failure = firstLine(e.getMessage());
            } catch (LifeboatException e) {
                SQLException sql = sqlCause(e);
                if (sql != null ? permanent(sql) : !e.code().retriable()) {
                    throw e;
                }
                failure = e.getMessage();
            }
            if (stopping) {
                break;
            }
            if (segmentsStored > storedBefore || !durable().equals(durableBefore)) {
                delay = RETRY_MIN;
            }
            listener.disconnected(failure, delay);
            pause(delay);
            delay = delay.multipliedBy(2).compareTo(options.retryMax()) > 0 ? options.retryMax() : delay.multipliedBy(2);
        }
    }

    /** Asks {@link #run()} to store what it has, confirm it and return; callable from any thread. */
    public void stop() {
        stopping = true;
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    private void pause(Duration d) {
        synchronized (wakeup) {
            long until = System.nanoTime() + d.toNanos();
            long left;
            while (!stopping && (left = until - System.nanoTime()) > 0) {
                try {
                    wakeup.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                }
            }
        }
    }

    /** One connection: identify, prepare the slot and history, and stream one timeline. */
    private void session() throws SQLException {
        try (ReplicationConnection repl = ReplicationConnection.open(spec);
             SlotMonitor monitor = new SlotMonitor(spec, options.slot())) {
            ReplicationConnection.Identity id = repl.identifySystem();
            identify(repl, id);
            TimelineHistory history = history(repl, id.timeline());
            SlotMonitor.Slot slot = monitor.read();
            if (slot == null || slot.restartLsn() == null) {
                if (repl.createPhysicalSlot(options.slot())) {
                    listener.slotCreated(options.slot());
                }
                slot = monitor.read();
            }
            if (slot == null) {
                throw new SQLException("replication slot \"" + options.slot() + "\" was dropped as it was created");
            }
            if ("lost".equals(slot.walStatus())) {
                throw new LifeboatException(ErrorCode.DATABASE, "replication slot '" + options.slot() + "' on '"
                        + spec.display() + "' has lost WAL the repository does not have (max_slot_wal_keep_size)",
                        "drop the slot (SELECT pg_drop_replication_slot('" + options.slot() + "')) so that streaming "
                                + "starts anew, then take a new base backup: WAL up to now cannot be recovered");
            }
            checkRetention(slot);
            Lsn from = resumePoint(history);
            if (from == null) {
                // a slot made elsewhere without RESERVE_WAL holds nothing yet: start where the server is
                from = slot.restartLsn() != null ? slot.restartLsn() : id.flushed();
            }
            if (skipTo != null && skipTo.compareTo(from) > 0) {
                from = skipTo;
            }
            int tli = history.timelineAt(from);
            Lsn start = segmentStart(from);
            CopyDual copy;
            try {
                copy = repl.startPhysical(options.slot(), start, tli);
            } catch (SQLException e) {
                if ("58P01".equals(e.getSQLState()) && slot.restartLsn() != null
                        && slot.restartLsn().compareTo(start) > 0) {
                    listener.warning("the server no longer has the WAL from " + start + " on: the repository's WAL "
                            + "has a gap up to " + segmentStart(slot.restartLsn()) + " (take a new base backup; "
                            + "point-in-time recovery cannot cross the gap)");
                    skipTo = slot.restartLsn();
                }
                throw e;
            }
            listener.connected(systemId, id.timeline(), tli, start);
            repl.readTimeout(READ_TIMEOUT_MILLIS);
            new Stream(copy, monitor, tli, start, history.entry(tli).end(), id.timeline()).run();
        }
    }

    private void identify(ReplicationConnection repl, ReplicationConnection.Identity id) throws SQLException {
        if (systemId == null) {
            long size = repl.walSegmentSize();
            List<String> stored = sink.open(id.systemId());
            systemId = id.systemId();
            segmentSize = size;
            buffer = new byte[Math.toIntExact(size)];
            for (String name : stored) {
                int historyOf = TimelineHistory.timelineOf(name);
                if (historyOf > 0) {
                    historiesStored.add(historyOf);
                } else if (name.matches("[0-9A-F]{24}")) {
                    WalSegmentName seg = WalSegmentName.parse(name, segmentSize);
                    advance(seg.timeline(), seg.next().start());
                } else if (name.matches("[0-9A-F]{24}\\.partial")) {
                    // how far the partial reaches is not known without reading it: stream its segment again
                    WalSegmentName seg = WalSegmentName.parse(name.substring(0, 24), segmentSize);
                    advance(seg.timeline(), seg.start());
                }
            }
        } else if (!systemId.equals(id.systemId())) {
            throw new LifeboatException(ErrorCode.CLUSTER_MISMATCH, "the server at '" + spec.display() + "' is now "
                    + "cluster " + id.systemId() + ", not cluster " + systemId + " whose WAL was being streamed",
                    "the address now leads to another cluster; check the connection, then start 'wal stream' again");
        }
    }

    /** The history of the server's timeline; stores the history files of its timelines the sink lacks. */
    private TimelineHistory history(ReplicationConnection repl, int serverTimeline) throws SQLException {
        if (serverTimeline == 1) {
            return TimelineHistory.first();
        }
        byte[] content = repl.timelineHistory(serverTimeline);
        TimelineHistory history;
        try {
            history = TimelineHistory.parse(serverTimeline, content);
        } catch (IllegalArgumentException e) {
            throw new SQLException("the server sent a history file that cannot be read: " + e.getMessage());
        }
        for (TimelineHistory.Entry e : history.entries()) {
            int tli = e.timeline();
            if (tli == 1 || historiesStored.contains(tli)) {
                continue;
            }
            byte[] file;
            try {
                file = tli == serverTimeline ? content : repl.timelineHistory(tli);
            } catch (SQLException missing) {
                listener.warning("the server has no history file of timeline " + tli + ": "
                        + firstLine(missing.getMessage()));
                continue;
            }
            sink.history(systemId, tli, file);
            historiesStored.add(tli);
            listener.historyStored(tli);
        }
        return history;
    }

    /** Where streaming continues on this history: the furthest WAL stored on one of its timelines. */
    private Lsn resumePoint(TimelineHistory history) {
        Lsn best = null;
        for (TimelineHistory.Entry e : history.entries()) {
            Lsn end = reached.get(e.timeline());
            if (end == null || end.compareTo(e.begin()) < 0) {
                continue;
            }
            Lsn valid = e.end() != null && end.compareTo(e.end()) > 0 ? e.end() : end;
            if (best == null || valid.compareTo(best) > 0) {
                best = valid;
            }
        }
        return best;
    }

    private void advance(int timeline, Lsn end) {
        reached.merge(timeline, end, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }

    private Lsn durable() {
        return reached.values().stream().max(Lsn::compareTo).orElse(Lsn.ZERO);
    }

    private Lsn segmentStart(Lsn lsn) {
        return new Lsn(lsn.value() - Long.remainderUnsigned(lsn.value(), segmentSize));
    }

    private void checkRetention(SlotMonitor.Slot slot) {
        long limit = options.maxSlotRetained();
        if (limit == 0 || slot.retainedBytes() <= limit) {
            lastRetentionWarning = 0;
            return;
        }
        long now = System.nanoTime();
        if (lastRetentionWarning != 0 && now - lastRetentionWarning < REWARN_NANOS) {
            return;
        }
        lastRetentionWarning = now;
        listener.warning(String.format("replication slot '%s' keeps %s of WAL on the server, more than the limit of %s: "
                        + "the repository is falling behind (check its throughput), or raise wal.max-slot-retained",
                options.slot(), mib(slot.retainedBytes()), mib(limit)));
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    /** Streaming one timeline over one connection. */
    private final class Stream {
        private final CopyDual copy;
        private final SlotMonitor monitor;
        private final int timeline;
        private final Lsn end;
        private final int serverTimeline;
        private long segment;
        private int filled;
        private int partialStored;
        private boolean headerChecked;
        private Lsn serverEnd;
        /** The flush position to report: none until something was stored on this connection. */
        private Lsn confirmed = Lsn.ZERO;
        private long lastPartialNanos = System.nanoTime();
        private long lastStatusNanos = System.nanoTime();
        private long lastCheckNanos = System.nanoTime();
        private long lastMessageNanos = System.nanoTime();
        /** When WAL last arrived: keepalives do not count, a server waiting for our flush sends them back to back. */
        private long lastDataNanos = System.nanoTime();

        Stream(CopyDual copy, SlotMonitor monitor, int timeline, Lsn start, Lsn end, int serverTimeline) {
            this.copy = copy;
            this.monitor = monitor;
            this.timeline = timeline;
            this.segment = start.segment(segmentSize);
            this.end = end;
            this.serverTimeline = serverTimeline;
        }

        private Lsn received() {
            return new Lsn(segment * segmentSize + filled);
        }

        private WalSegmentName name() {
            return new WalSegmentName(timeline, segment, segmentSize);
        }

        void run() throws SQLException {
            try {
                while (!stopping) {
                    byte[] message = read();
                    long now = System.nanoTime();
                    if (message != null && message[0] == 'w') {
                        lastDataNanos = now;
                    } else if (now - lastDataNanos >= IDLE_NANOS) {
                        storePartialAndConfirm();
                    }
                    if (message == null) {
                        if (now - lastMessageNanos > silenceLimitNanos()) {
                            throw new SQLException("the server sent nothing for "
                                    + Duration.ofNanos(now - lastMessageNanos).toSeconds() + " s", "08006");
                        }
                        pause(Duration.ofMillis(POLL_MILLIS));
                    } else if (message[0] == 'w') {
                        if (xlogData(message)) {
                            return;
                        }
                        if (now - lastPartialNanos >= options.partialInterval().toNanos()) {
                            storePartialAndConfirm();
                        }
                    } else if (message[0] == 'k') {
                        ByteBuffer b = ByteBuffer.wrap(message, 1, message.length - 1);
                        serverEnd(new Lsn(b.getLong()));
                        b.getLong();
                        if (b.get() != 0) {
                            sendStatus();
                        }
                    } else {
                        throw new SQLException("unexpected replication message '" + (char) message[0] + "'", "08P01");
                    }
                    if (now - lastStatusNanos >= options.statusInterval().toNanos()) {
                        sendStatus(true);
                        listener.status(new Status(timeline, received(), durable(), serverEnd, segmentsStored));
                    }
                    if (now - lastCheckNanos >= CHECK_NANOS) {
                        lastCheckNanos = now;
                        if (serverTimelineChanged()) {
                            storePartialAndConfirm();
                            return;
                        }
                    }
                }
                storePartialAndConfirm();
            } catch (SQLException | RuntimeException e) {
                storeAfterFailure(e);
                throw e;
            }
        }

        /** Keeps what arrived before the connection broke: it is WAL the server sent, worth a partial. */
        private void storeAfterFailure(Exception cause) {
            try {
                storePartial();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }

        /**
         * The next message, or null when none is waiting. Reads do not block: a read that timed out in the middle
         * of a message would leave pgjdbc's stream out of step.
         */
        private byte[] read() throws SQLException {
            byte[] message = copy.readFromCopy(false);
            if (message == null && !copy.isActive()) {
                throw new SQLException("the server ended the replication stream", "08006");
            }
            if (message != null) {
                lastMessageNanos = System.nanoTime();
            }
            return message;
        }

        /**
         * How long the server may stay silent: every status update asks for a reply, so silence past a few
         * intervals means the connection is gone even when no error says so.
         */
        private long silenceLimitNanos() {
            return options.statusInterval().toNanos() * 3 + Duration.ofSeconds(5).toNanos();
        }

        /** Takes one XLogData message; true when a historic timeline has been streamed to its end. */
        private boolean xlogData(byte[] message) throws SQLException {
            ByteBuffer b = ByteBuffer.wrap(message, 1, message.length - 1);
            Lsn dataStart = new Lsn(b.getLong());
            serverEnd(new Lsn(b.getLong()));
            b.getLong();
            if (!dataStart.equals(received())) {
                throw new SQLException("the server sent WAL from " + dataStart + " where " + received()
                        + " was expected", "08P01");
            }
            int off = b.position();
            int left = message.length - off;
            while (left > 0) {
                int n = (int) Math.min(left, segmentSize - filled);
                System.arraycopy(message, off, buffer, filled, n);
                filled += n;
                off += n;
                left -= n;
                checkHeader();
                if (filled == segmentSize) {
                    storeSegment();
                }
                if (end != null && received().compareTo(end) >= 0) {
                    storePartialAndConfirm();
                    listener.timelineEnded(timeline, end);
                    return true;
                }
            }
            return false;
        }

        private void serverEnd(Lsn lsn) {
            if (serverEnd == null || lsn.compareTo(serverEnd) > 0) {
                serverEnd = lsn;
            }
        }

        /** The first page of a segment names the cluster and the segment's place: both must be what we expect. */
        private void checkHeader() {
            if (headerChecked || filled < 40) {
                return;
            }
            headerChecked = true;
            WalHeader h = WalHeader.parse(buffer);
            String what = "WAL segment " + name() + " from '" + spec.display() + "'";
            if (h == null) {
                throw LifeboatException.integrity(what + " does not start with a long page header");
            }
            if (!Long.toUnsignedString(h.systemIdentifier()).equals(systemId)) {
                throw new LifeboatException(ErrorCode.CLUSTER_MISMATCH, what + " belongs to cluster "
                        + Long.toUnsignedString(h.systemIdentifier()) + ", not " + systemId);
            }
            if (h.pageAddress() != name().start().value() || h.segmentSize() != segmentSize) {
                throw LifeboatException.integrity(what + " starts with the page of " + new Lsn(h.pageAddress())
                        + " (segment size " + h.segmentSize() + ")");
            }
        }

        private void storeSegment() throws SQLException {
            WalSegmentName name = name();
            long started = System.nanoTime();
            sink.segment(systemId, name, buffer);
            segmentsStored++;
            advance(timeline, name.next().start());
            confirmed = name.next().start();
            listener.segmentStored(name);
            segment++;
            filled = 0;
            partialStored = 0;
            headerChecked = false;
            lastPartialNanos = started;
            sendStatus();
        }

        private void storePartialAndConfirm() throws SQLException {
            if (storePartial()) {
                sendStatus();
            }
        }

        /** Stores the segment being filled if it grew since it was last stored; true when it did. */
        private boolean storePartial() {
            if (filled <= partialStored) {
                return false;
            }
            // the interval counts from the start of a store, so the time a store takes does not add to the
            // recovery point
            long started = System.nanoTime();
            sink.partial(systemId, name(), Arrays.copyOf(buffer, filled));
            partialStored = filled;
            advance(timeline, received());
            confirmed = received();
            lastPartialNanos = started;
            listener.partialStored(name(), received());
            return true;
        }

        private void sendStatus() throws SQLException {
            sendStatus(false);
        }

        /** A standby status update: received WAL as written, only stored WAL as flushed. */
        private void sendStatus(boolean replyRequested) throws SQLException {
            if (!copy.isActive()) {
                return;
            }
            ByteBuffer b = ByteBuffer.allocate(34);
            b.put((byte) 'r').putLong(received().value()).putLong(confirmed.value()).putLong(0)
                    .putLong(System.currentTimeMillis() * 1000 - PG_EPOCH_MICROS).put((byte) (replyRequested ? 1 : 0));
            copy.writeToCopy(b.array(), 0, b.capacity());
            copy.flushCopy();
            lastStatusNanos = System.nanoTime();
        }

        /** Whether the server moved to a newer timeline than the one streamed (a standby was promoted). */
        private boolean serverTimelineChanged() {
            try {
                SlotMonitor.Slot slot = monitor.read();
                if (slot == null) {
                    return false;
                }
                checkRetention(slot);
                return slot.serverTimeline() > serverTimeline;
            } catch (SQLException e) {
                listener.warning("cannot read replication slot '" + options.slot() + "': " + firstLine(e.getMessage()));
                return false;
            }
        }
    }

    private static boolean permanent(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("28") || state.equals("42501") || state.equals("3D000") || state.equals("42809");
    }

    private static SQLException sqlCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
