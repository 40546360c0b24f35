package dev.lifeboat.engine.wal;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.cluster.LocalCluster;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalSegmentName;
import dev.lifeboat.postgres.wal.WalStreamer;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.wal.WalStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code wal stream}'s engine against real PostgreSQL 15 clusters: what is stored, what is confirmed to the
 * server, reconnection after a restart, and a timeline switch. Waits are bounded but nothing asserts on time:
 * stored WAL is read back and compared with what the server wrote.
 */
class WalStreamingIT {
    @TempDir
    static Path shared;
    static LocalCluster primary;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPrimary() {
        primary = PgFixture.primary(shared.resolve("primary"));
    }

    @AfterAll
    static void stopPrimary() {
        primary.close();
    }

    @Test
    void streamingStoresTheLastCommitWithinAPartialAndThenTheWholeSegment() throws Exception {
        Repository repo = repository();
        StoredWal wal = new StoredWal(repo, PgFixture.systemId(primary));
        String marker = "commit-marker-" + UUID.randomUUID();
        try (Running s = Running.start(repo, primary, "partials")) {
            s.await("connected", () -> s.saw("connected"));
            Lsn commit = PgFixture.commit(primary, marker);

            await("the commit's WAL stored", () -> wal.end().compareTo(commit) >= 0);
            Lsn at = wal.find(marker);
            assertThat(at).as("stored WAL holds the committed row").isNotNull().isLessThan(commit);
            String partial = wal.holding(1, commit);
            assertThat(partial).endsWith(".partial");
            byte[] stored = wal.read(partial);
            byte[] server = Files.readAllBytes(primary.dataDir().resolve("pg_wal").resolve(partial.substring(0, 24)));
            assertThat(Arrays.copyOf(server, stored.length)).as("the partial is the beginning of the server's segment")
                    .isEqualTo(stored);

            WalSegmentName segment = WalSegmentName.of(1, commit, StoredWal.SEGMENT_SIZE);
            PgFixture.exec(primary, "SELECT pg_switch_wal()");
            await("segment " + segment + " stored and its partial gone", () -> wal.files().contains(segment.toString())
                    && !wal.files().contains(segment + ".partial"));
            assertThat(wal.read(segment.toString())).isEqualTo(
                    Files.readAllBytes(primary.dataDir().resolve("pg_wal").resolve(segment.toString())));
        }
    }

    @Test
    void theConfirmedFlushPositionNeverPassesWhatTheRepositoryHolds() throws Exception {
        Repository repo = repository();
        StoredWal wal = new StoredWal(repo, PgFixture.systemId(primary));
        AtomicBoolean load = new AtomicBoolean(true);
        PgFixture.exec(primary, "CREATE TABLE IF NOT EXISTS load (id serial PRIMARY KEY, filler text NOT NULL)");
        Thread writer = Thread.ofPlatform().start(() -> {
            try (Connection c = primary.connection("postgres").connect(); Statement st = c.createStatement()) {
                for (int i = 1; load.get(); i++) {
                    st.execute("INSERT INTO load (filler) SELECT repeat('x', 500) FROM generate_series(1, 20)");
                    if (i % 100 == 0) {
                        st.execute("SELECT pg_switch_wal()");
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        try (Running s = Running.start(repo, primary, "confirm")) {
            // until then the slot holds WAL from where it was created, which is not a confirmation
            s.await("the first WAL stored", () -> wal.end().compareTo(Lsn.ZERO) > 0);
            for (int i = 0; i < 12 || wal.files().stream().noneMatch(f -> f.matches("[0-9A-F]{24}")); i++) {
                Lsn confirmed = PgFixture.restartLsn(primary, "confirm");
                Lsn stored = wal.end();
                assertThat(confirmed).as("slot restart_lsn (the confirmed flush position)").isLessThanOrEqualTo(stored);
                Thread.sleep(50);
            }
        } finally {
            load.set(false);
            writer.join();
        }
        await("after a graceful stop the slot is confirmed exactly up to the stored WAL",
                () -> wal.end().equals(PgFixture.restartLsn(primary, "confirm")));
    }

    @Test
    void streamingReconnectsAfterThePrimaryRestartsAndLeavesNoGap() throws Exception {
        Repository repo = repository();
        String sysid = PgFixture.systemId(primary);
        StoredWal wal = new StoredWal(repo, sysid);
        try (Running s = Running.start(repo, primary, "restart")) {
            s.await("connected", () -> s.saw("connected"));
            Lsn before = PgFixture.commit(primary, "before-restart");
            await("WAL before the restart stored", () -> wal.end().compareTo(before) >= 0);

            primary.stop();
            primary.start();
            Lsn after = PgFixture.commit(primary, "after-restart-" + UUID.randomUUID());
            PgFixture.exec(primary, "SELECT pg_switch_wal()");
            await("WAL after the restart stored", () -> wal.end().compareTo(after) >= 0);
            assertThat(s.events).anyMatch(e -> e.startsWith("disconnected"));
            assertThat(s.events.stream().filter(e -> e.equals("connected")).count()).isGreaterThanOrEqualTo(2);
        }
        WalVerifier.Report report = new WalVerifier(repo).verify(sysid);
        assertThat(report.clusters()).singleElement().satisfies(c -> {
            assertThat(c.gaps()).isEmpty();
            assertThat(c.problems()).isEmpty();
            assertThat(c.chains()).singleElement().satisfies(ch -> assertThat(ch.segments()).isGreaterThanOrEqualTo(1));
        });
        assertThat(wal.find("before-restart")).isNotNull();
    }

    @Test
    void streamingFollowsATimelineSwitchAndStoresTheHistoryFile() throws Exception {
        LocalCluster old = PgFixture.primary(dir.resolve("old"));
        LocalCluster promoted = null;
        try {
            Repository repo = repository();
            String sysid = PgFixture.systemId(old);
            StoredWal wal = new StoredWal(repo, sysid);
            try (Running s = Running.start(repo, old, "switch")) {
                s.await("connected", () -> s.saw("connected"));
                promoted = PgFixture.standby(old, dir.resolve("standby"));
                Lsn m2 = PgFixture.commit(old, "on-timeline-1");
                LocalCluster standby = promoted;
                await("standby caught up", () -> Lsn.parse(PgFixture.scalar(standby,
                        "SELECT pg_last_wal_replay_lsn()::text")).compareTo(m2) >= 0);
                await("timeline 1 stored", () -> wal.end().compareTo(m2) >= 0);
            }
            PgFixture.exec(promoted, "SELECT pg_promote()");
            old.stop();
            Lsn m3 = PgFixture.commit(promoted, "on-timeline-2-" + UUID.randomUUID());
            assertThat(PgFixture.scalar(promoted, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
                    .isEqualTo("00000002");

            try (Running s = Running.start(repo, promoted, "switch")) {
                await("timeline 2 stored", () -> wal.holding(2, m3) != null);
                assertThat(s.events).contains("history 2", "timeline-end 1");
            }
            assertThat(wal.files()).contains("00000002.history");
            assertThat(new String(wal.read("00000002.history"))).startsWith("1\t");
            assertThat(wal.find("on-timeline-1")).isNotNull();
            WalVerifier.Report report = new WalVerifier(repo).verify(sysid);
            assertThat(report.ok()).as("%s", report).isTrue();
            assertThat(report.clusters().get(0).chains()).singleElement()
                    .satisfies(ch -> assertThat(ch.timelines()).containsExactly(1, 2));
        } finally {
            old.close();
            if (promoted != null) {
                promoted.close();
            }
        }
    }

    @Test
    void streamingRefusesAClusterTheRepositoryDoesNotServeUnlessToldItIsNew() throws Exception {
        Repository repo = repository();
        new WalStore(repo).put("7000000000000000001", "00000002.history", "1\t0/3000000\tno recovery target\n".getBytes());
        WalStreaming streaming = new WalStreaming(repo, request(primary, "other", false), new WalStreamer.Listener() {
        });
        assertThatThrownBy(streaming::run).isInstanceOfSatisfying(LifeboatException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CLUSTER_MISMATCH);
            assertThat(e.getMessage()).isEqualTo("the server at '" + primary.connection("postgres").display()
                    + "' belongs to cluster " + PgFixture.systemId(primary)
                    + ", but the repository holds WAL and backups of cluster 7000000000000000001");
        });
        try (Running s = Running.start(repo, primary, "other", true)) {
            s.await("connected", () -> s.saw("connected"));
        }
    }

    @Test
    void aSlotKeepingMoreWalThanTheLimitIsWarnedAbout() throws Exception {
        PgFixture.exec(primary, "SELECT pg_create_physical_replication_slot('retained', true)");
        PgFixture.exec(primary, "CREATE TABLE IF NOT EXISTS filler AS SELECT repeat('x', 1000) AS x "
                + "FROM generate_series(1, 3000)");
        Repository repo = repository();
        List<String> warnings = new CopyOnWriteArrayList<>();
        WalStreaming.Request limited = new WalStreaming.Request(primary.connection("postgres"), "retained",
                Duration.ofMillis(200), 1 << 20, Duration.ofSeconds(1), false);
        WalStreaming streaming = new WalStreaming(repo, limited, new WalStreamer.Listener() {
            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        });
        Thread t = Thread.ofPlatform().start(streaming::run);
        try {
            await("a warning", () -> !warnings.isEmpty());
        } finally {
            streaming.stop();
            t.join();
        }
        assertThat(warnings.get(0)).matches("replication slot 'retained' keeps \\d+\\.\\d MiB of WAL on the server, "
                + "more than the limit of 1\\.0 MiB: the repository is falling behind \\(check its throughput\\), or "
                + "raise wal.max-slot-retained");
    }

    private Repository repository() {
        return TestRepositories.init(new LocalBackend(dir.resolve("repo")));
    }

    static WalStreaming.Request request(LocalCluster c, String slot, boolean newCluster) {
        return new WalStreaming.Request(c.connection("postgres"), slot, Duration.ofMillis(200), 1L << 30,
                Duration.ofSeconds(1), newCluster);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A streamer on its own thread, with what it reported. */
    static final class Running implements AutoCloseable {
        final List<String> events = new CopyOnWriteArrayList<>();
        private final WalStreaming streaming;
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        private Running(Repository repo, LocalCluster c, String slot, boolean newCluster) {
            streaming = new WalStreaming(repo, request(c, slot, newCluster), new WalStreamer.Listener() {
                @Override
                public void connected(String systemId, int serverTimeline, int timeline, Lsn start) {
                    events.add("connected");
                }

                @Override
                public void segmentStored(WalSegmentName segment) {
                    events.add("segment " + segment);
                }

                @Override
                public void historyStored(int timeline) {
                    events.add("history " + timeline);
                }

                @Override
                public void timelineEnded(int timeline, Lsn end) {
                    events.add("timeline-end " + timeline);
                }

                @Override
                public void warning(String message) {
                    events.add("warning " + message);
                }

                @Override
                public void disconnected(String reason, Duration retryIn) {
                    events.add("disconnected " + reason);
                }
            });
            thread = Thread.ofPlatform().name("streamer-" + slot).start(() -> {
                try {
                    streaming.run();
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
        }

        static Running start(Repository repo, LocalCluster c, String slot) {
            return new Running(repo, c, slot, false);
        }

        static Running start(Repository repo, LocalCluster c, String slot, boolean newCluster) {
            return new Running(repo, c, slot, newCluster);
        }

        boolean saw(String event) {
            if (failure.get() != null) {
                throw new AssertionError("the streamer failed; events: " + events, failure.get());
            }
            return events.contains(event);
        }

        void await(String what, BooleanSupplier condition) throws InterruptedException {
            WalStreamingIT.await(what + " (events: " + events + ")", condition);
        }

        @Override
        public void close() throws InterruptedException {
            streaming.stop();
            thread.join(Duration.ofSeconds(60));
            assertThat(thread.isAlive()).as("the streamer stopped").isFalse();
            if (failure.get() != null) {
                throw new AssertionError("the streamer failed; events: " + events, failure.get());
            }
        }
    }
}
