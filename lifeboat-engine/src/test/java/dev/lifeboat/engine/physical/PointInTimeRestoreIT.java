package dev.lifeboat.engine.physical;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.PgTools;
import dev.lifeboat.postgres.cluster.LocalCluster;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.RepoConfig;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.wal.WalStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Point-in-time recovery on real clusters: a ticker commits rows every few milliseconds; recovery to a time
 * T holds exactly the rows committed at or before T (commit timestamps tracked by the server), then a
 * second recovery starts from the new timeline. WAL reaches the repository through archive_command.
 */
class PointInTimeRestoreIT {
    @TempDir
    static Path dir;
    static PgTools tools = new PgTools(null, System.getenv());
    static LocalCluster primary;
    static Path archive;
    static Repository repo;
    static final List<LocalCluster> restored = new ArrayList<>();

    @BeforeAll
    static void startPrimary() throws Exception {
        archive = dir.resolve("archive");
        Files.createDirectories(archive);
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rwxrwxrwx"));
        LocalCluster.giveToPostgres(archive);
        primary = LocalCluster.initdb(tools, dir.resolve("primary"), Map.of("wal_level", "replica",
                "archive_mode", "on", "archive_command", "'cp %p " + archive + "/%f'", "track_commit_timestamp", "on",
                "max_wal_size", "'256MB'")).start();
        try (Connection c = primary.connection("postgres").connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ticker (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
        }
        repo = Repository.init(new MemoryBackend(), "pw".toCharArray(), RepoConfig.fresh(), 8192, "host", "user");
    }

    @AfterAll
    static void stopAll() {
        for (LocalCluster c : restored) {
            c.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    /** Commits a row every few milliseconds until stopped. */
    static Thread ticker(ConnectionSpec spec, AtomicBoolean running) {
        return Thread.ofPlatform().start(() -> {
            try (Connection c = spec.connect(); Statement s = c.createStatement()) {
                while (running.get()) {
                    s.execute("INSERT INTO ticker DEFAULT VALUES");
                    Thread.sleep(3);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Switches WAL, waits until the archive holds it, and stores every archived file in the repository. */
    static void archiveInto(LocalCluster cluster, String sysid) throws Exception {
        String last;
        try (Connection c = cluster.connection("postgres").connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                last = rs.getString(1);
            }
        }
        Instant deadline = Instant.now().plusSeconds(30);
        while (!Files.exists(archive.resolve(last)) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertThat(archive.resolve(last)).exists();
        WalStore store = new WalStore(repo);
        try (Stream<Path> files = Files.list(archive)) {
            for (Path f : files.sorted().toList()) {
                store.put(sysid, f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
    }

    static List<Long> committedUpTo(ConnectionSpec spec, Instant t) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = spec.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM ticker WHERE pg_xact_commit_timestamp(xmin) <= '"
                     + DateTimeFormatter.ISO_INSTANT.format(t) + "' ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    static List<Long> ids(ConnectionSpec spec) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = spec.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM ticker ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    static Instant commitTimeOfRow(ConnectionSpec spec, long id) throws Exception {
        try (Connection c = spec.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_xact_commit_timestamp(xmin) FROM ticker WHERE id = " + id)) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    PointInTimeRestore.Result restore(RecoveryTarget target, String name) {
        PointInTimeRestore pitr = new PointInTimeRestore(repo, Progress.NONE);
        int port = LocalCluster.freePort();
        PointInTimeRestore.Result r = pitr.run(new PointInTimeRestore.Request(target, null, null, dir.resolve(name), port,
                tools, Duration.ofMinutes(3)));
        restored.add(LocalCluster.startedEarlier(tools, dir.resolve(name), port));
        return r;
    }

    @Test
    void recoveryToATimeHoldsExactlyTheRowsCommittedByThenAndASecondRecoveryFollowsTheNewTimeline() throws Exception {
        ConnectionSpec spec = primary.connection("postgres");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread t = ticker(spec, running);
        Thread.sleep(500);
        SnapshotRef backup = new PhysicalBackup(repo, Progress.NONE).run(new PhysicalBackup.Request(spec, List.of(),
                null, Duration.ofSeconds(30), null));
        Thread.sleep(2500);
        running.set(false);
        t.join();
        PhysicalDetails d = dev.lifeboat.repo.Json.MAPPER.convertValue(backup.snapshot().details(), PhysicalDetails.class);
        archiveInto(primary, d.systemIdentifier());

        List<Long> all = ids(spec);
        List<Long> after = all.stream().filter(id -> {
            try {
                return commitTimeOfRow(spec, id).isAfter(d.stopTime());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(after).hasSizeGreaterThan(10);
        long middle = after.get(after.size() / 2);
        Instant target = commitTimeOfRow(spec, middle);
        List<Long> expected = committedUpTo(spec, target);
        assertThat(expected).contains(middle).hasSizeLessThan(all.size());

        PointInTimeRestore.Result r = restore(new RecoveryTarget(RecoveryTarget.Kind.TIME,
                DateTimeFormatter.ISO_INSTANT.format(target), "latest"), "pitr-time");
        ConnectionSpec first = new ConnectionSpec("127.0.0.1", restored.get(restored.size() - 1).port(), "postgres",
                "postgres", null, "disable");
        assertThat(ids(first)).isEqualTo(expected);
        assertThat(r.timeline()).isEqualTo(d.timeline() + 1);
        assertThat(r.recoveryStop()).contains("recovery stopping");

        // the restored cluster is a new primary on a new timeline: back it up with its own archive and recover again
        LocalCluster tl2 = restored.get(restored.size() - 1);
        try (Connection c = first.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET archive_mode = on");
            s.execute("ALTER SYSTEM SET archive_command = 'cp %p " + archive + "/%f'");
        }
        tl2.stop();
        tl2.start();
        AtomicBoolean again = new AtomicBoolean(true);
        Thread t2 = ticker(first, again);
        SnapshotRef backup2 = new PhysicalBackup(repo, Progress.NONE).run(new PhysicalBackup.Request(first, List.of(),
                null, Duration.ofSeconds(30), null));
        Thread.sleep(800);
        again.set(false);
        t2.join();
        archiveInto(tl2, d.systemIdentifier());
        PhysicalDetails d2 = dev.lifeboat.repo.Json.MAPPER.convertValue(backup2.snapshot().details(), PhysicalDetails.class);
        assertThat(d2.timeline()).isEqualTo(d.timeline() + 1);

        List<Long> onTl2 = ids(first);
        PointInTimeRestore.Result r2 = restore(new RecoveryTarget(RecoveryTarget.Kind.LATEST, null, "latest"), "pitr-tl2");
        ConnectionSpec second = new ConnectionSpec("127.0.0.1", restored.get(restored.size() - 1).port(), "postgres",
                "postgres", null, "disable");
        assertThat(ids(second)).isEqualTo(onTl2);
        assertThat(r2.timeline()).isEqualTo(d.timeline() + 2);
    }

    @Test
    void restoreRefusesATargetBeforeTheOldestBackupAndANonEmptyDirectory() throws Exception {
        assertThatThrownBy(() -> new PointInTimeRestore(repo, Progress.NONE).plan(new PointInTimeRestore.Request(
                new RecoveryTarget(RecoveryTarget.Kind.TIME, "2001-01-01 00:00:00+00", "latest"), null, null,
                dir.resolve("never"), 5999, tools, Duration.ofMinutes(1))))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isIn(ErrorCode.USAGE, ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).containsAnyOf("is before the oldest base backup",
                            "there is no physical backup");
                });
        Path busy = dir.resolve("busy");
        Files.createDirectories(busy);
        Files.writeString(busy.resolve("keep-me"), "x");
        assertThatThrownBy(() -> new PointInTimeRestore(repo, Progress.NONE).run(new PointInTimeRestore.Request(
                new RecoveryTarget(RecoveryTarget.Kind.LATEST, null, "latest"), null, null, busy, 5999, tools,
                Duration.ofMinutes(1))))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
                    assertThat(e.getMessage()).isEqualTo("data directory '" + busy + "' is not empty");
                });
        assertThat(busy.resolve("keep-me")).hasContent("x");
    }

    @Test
    void restoreRefusesABackupOfAnotherCluster() {
        assertThatThrownBy(() -> new PointInTimeRestore(repo, Progress.NONE).plan(new PointInTimeRestore.Request(
                new RecoveryTarget(RecoveryTarget.Kind.LATEST, null, "latest"), null, "1234567890", dir.resolve("other"),
                5999, tools, Duration.ofMinutes(1))))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isIn(ErrorCode.CLUSTER_MISMATCH);
                    assertThat(e.getMessage()).isEqualTo("there is no physical backup of cluster 1234567890");
                });
    }
}
