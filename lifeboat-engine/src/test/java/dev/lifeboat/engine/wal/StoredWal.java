package dev.lifeboat.engine.wal;

import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalSegmentName;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.wal.WalStore;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** One cluster's WAL as the repository holds it, read back. */
final class StoredWal {
    static final long SEGMENT_SIZE = WalSegmentName.DEFAULT_SEGMENT_SIZE;
    private final WalStore store;
    private final String systemId;

    StoredWal(Repository repo, String systemId) {
        this.store = new WalStore(repo);
        this.systemId = systemId;
    }

    List<String> files() {
        return store.list(systemId);
    }

    byte[] read(String file) {
        return store.get(systemId, file);
    }

    /** Where the stored WAL ends: after the newest complete segment, or its partial if that goes further. */
    Lsn end() {
        Lsn end = Lsn.ZERO;
        for (String f : files()) {
            if (f.endsWith(".history")) {
                continue;
            }
            WalSegmentName n = WalSegmentName.parse(f.substring(0, 24), SEGMENT_SIZE);
            Lsn e = f.endsWith(".partial") ? n.start().plus(read(f).length) : n.next().start();
            if (e.compareTo(end) > 0) {
                end = e;
            }
        }
        return end;
    }

    /** The WAL location where the bytes of {@code marker} are stored (segment or partial), or null. */
    Lsn find(String marker) {
        byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
        for (String f : files()) {
            if (f.endsWith(".history")) {
                continue;
            }
            int at = indexOf(read(f), needle);
            if (at >= 0) {
                return WalSegmentName.parse(f.substring(0, 24), SEGMENT_SIZE).start().plus(at);
            }
        }
        return null;
    }

    /** The stored file (segment or partial) that holds {@code lsn} on {@code timeline}, or null. */
    String holding(int timeline, Lsn lsn) {
        WalSegmentName seg = WalSegmentName.of(timeline, lsn, SEGMENT_SIZE);
        for (String f : files()) {
            if (f.equals(seg.toString())) {
                return f;
            }
            if (f.equals(seg + ".partial") && seg.start().plus(read(f).length).compareTo(lsn) >= 0) {
                return f;
            }
        }
        return null;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
