package dev.lifeboat.engine.physical;

import dev.lifeboat.engine.files.FileBackup;
import dev.lifeboat.engine.files.SourceType;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.physical.BackupSession;
import dev.lifeboat.postgres.physical.WalHeader;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalSegmentName;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.Summary;
import dev.lifeboat.repo.wal.WalStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Physical base backups of a cluster on this host: {@code pg_backup_start}, the data directory and
 * tablespaces stored as file trees (unchanged files reuse the previous backup's content, so every backup
 * is full to the user and incremental in storage), {@code pg_backup_stop}, then the WAL from the start to
 * the stop segment is made sure to be in the repository — from the streamer or archive when it already
 * stored it, else copied from pg_wal — before the snapshot commits the backup.
 */
public final class PhysicalBackup {
    /** Paths of a data directory that a base backup leaves out, as PostgreSQL's documentation lists them. */
    public static final List<String> DATA_DIR_EXCLUDES = List.of("pg_wal/*", "pg_replslot/*", "pg_dynshmem/*",
            "pg_notify/*", "pg_serial/*", "pg_snapshots/*", "pg_stat_tmp/*", "pg_subtrans/*", "postmaster.pid",
            "postmaster.opts", "pgsql_tmp*", "pg_internal.init", "backup_label", "backup_label.old", "tablespace_map",
            "recovery.signal", "standby.signal");
    /** PostgreSQL's page size, which base backups cut data files in multiples of. */
    private static final int PAGE = 8192;

    /**
     * What to back up; {@code compressionLevel} is the zstd level of the data directory's files when the
     * repository compresses (null: the repository's level; see {@link #compressionLevel}).
     */
    public record Request(ConnectionSpec connection, List<String> tags, String appVersion, Duration walWait,
                          Integer compressionLevel) {
        public Request {
            tags = List.copyOf(tags);
        }
    }

    private final Repository repo;
    private final Progress progress;

    public PhysicalBackup(Repository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    public SnapshotRef run(Request request) {
        Instant start = Instant.now();
        try (BackupSession session = BackupSession.start(request.connection(), "lifeboat " + start)) {
            Path dataDir = Path.of(session.dataDirectory());
            if (!Files.isReadable(dataDir.resolve("PG_VERSION"))) {
                throw new LifeboatException(ErrorCode.DATABASE, "cannot read the data directory '" + dataDir + "' of '"
                        + request.connection().display() + "'", "run physical backups on the database host as root or "
                        + "the postgres user");
            }
            List<Path> roots = new ArrayList<>();
            roots.add(dataDir);
            for (BackupSession.Tablespace t : session.tablespaces()) {
                roots.add(Path.of(t.location()));
            }
            FileBackup.Stored stored = new FileBackup(repo, progress)
                    .fixedPieces(pieceSize(repo.config().chunker().avgSize()))
                    .compressionLevel(compressionLevel(repo.config().compressionLevel(), request.compressionLevel()))
                    .store(new FileBackup.Request(SourceType.DATABASE,
                    roots, DATA_DIR_EXCLUDES, List.of(), request.tags(), request.appVersion(), true, 30));
            BackupSession.Stop stop = session.stop();
            String sysid = session.server().systemIdentifier();
            long segSize = session.walSegmentSize();
            WalSegmentName first = WalSegmentName.of(session.timeline(), session.startLsn(), segSize);
            WalSegmentName last = WalSegmentName.of(stop.timeline(), stop.lsn(), segSize);
            boolean walComplete = secureWal(session, dataDir, sysid, first, last, request.walWait());
            Instant stopTime = Instant.now();
            PhysicalDetails details = new PhysicalDetails(PhysicalDetails.PHYSICAL, request.connection().display(),
                    session.server(), sysid, session.catalogVersion(), dataDir.toString(), session.tablespaces(),
                    session.standby(), session.timeline(), session.startLsn(), stop.lsn(), first.toString(),
                    last.toString(), segSize, stopTime, walComplete, stop.backupLabel(), stop.tablespaceMap(),
                    "lifeboat " + start);
            Summary s = stored.summary();
            Summary summary = new Summary(s.files(), s.dirs(), s.symlinks(), s.bytes(), s.newBlobs(), s.newBytes(),
                    s.storedBytes(), Duration.between(start, stopTime).toMillis(), s.errors());
            Snapshot snapshot = new Snapshot(Snapshot.VERSION, start, SourceType.DATABASE.label(), sysid,
                    stored.hostname(), System.getProperty("user.name"), stored.roots(), request.tags(),
                    DATA_DIR_EXCLUDES, stored.parent() == null ? null : stored.parent().id(), stored.tree(), summary,
                    Json.MAPPER.valueToTree(details), request.appVersion());
            if (!stored.warnings().isEmpty()) {
                throw new LifeboatException(ErrorCode.INCOMPLETE, "base backup incomplete: " + stored.warnings().get(0),
                        "a physical backup must read every file of the data directory; run it as root or postgres");
            }
            return new SnapshotStore(repo).save(snapshot);
        }
    }

    /**
     * The size of the pieces a base backup cuts files into: the repository's average chunk size in whole 8 KiB
     * pages. PostgreSQL changes its data files page by page in place, so pieces at fixed offsets find every
     * unchanged region as content-defined chunks would, without the chunker's rolling hash over every byte.
     */
    static int pieceSize(int averageChunk) {
        return Math.max(PAGE, averageChunk / PAGE * PAGE);
    }

    /** The level a base backup compresses at: none when the repository compresses nothing, else the one asked for, if any. */
    static int compressionLevel(int repositoryLevel, Integer requested) {
        return repositoryLevel == 0 || requested == null ? repositoryLevel : requested;
    }

    /**
     * Makes sure every WAL segment from {@code first} to {@code last} is in the repository.
     *
     * @return whether all of them are
     */
    private boolean secureWal(BackupSession session, Path dataDir, String sysid, WalSegmentName first,
                              WalSegmentName last, Duration wait) {
        WalStore store = new WalStore(repo);
        Instant deadline = Instant.now().plus(wait);
        List<WalSegmentName> missing = new ArrayList<>();
        for (WalSegmentName seg = first; seg.compareTo(last) <= 0; seg = seg.next()) {
            missing.add(seg);
        }
        while (true) {
            Lsn written = session.currentWalLsn();
            missing.removeIf(seg -> store.exists(sysid, seg.toString()) || copyFromPgWal(store, dataDir, sysid, seg, written));
            if (missing.isEmpty()) {
                return true;
            }
            if (Instant.now().isAfter(deadline)) {
                progress.warn("WAL segment " + missing.get(0) + " of the backup is not in the repository yet; the backup "
                        + "is usable once 'lifeboat wal stream' or archive_command stores it");
                return false;
            }
            session.switchWal();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted while waiting for WAL");
            }
        }
    }

    /** Copies a complete segment from pg_wal after checking its header; false when it is absent or not complete. */
    private static boolean copyFromPgWal(WalStore store, Path dataDir, String sysid, WalSegmentName seg, Lsn written) {
        if (written.compareTo(seg.next().start()) < 0) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dataDir.resolve("pg_wal").resolve(seg.toString()));
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
        WalHeader h = WalHeader.parse(bytes);
        if (h == null || bytes.length != seg.segmentSize() || h.pageAddress() != seg.start().value()
                || !Long.toUnsignedString(h.systemIdentifier()).equals(sysid)) {
            return false;
        }
        store.put(sysid, seg.toString(), bytes);
        return true;
    }
}
