package dev.lifeboat.engine.wal;

import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalSegmentName;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectNotFoundException;
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

    /**
     * A listed file, or null when it is gone: the streamer replaces a partial segment by the complete one while
     * this reads, and the next listing has the complete one.
     */
    private byte[] readListed(String file) {
        try {
            return read(file);
        } catch (ObjectNotFoundException replaced) {
            return null;
        }
    }

    /**
     * Where the stored WAL ends: after the newest complete segment, or its partial if that goes further. A
     * listed partial segment that is gone when read was replaced by its complete segment, which that listing
     * may not have: the end is then computed again from a new listing, not from the older segments alone.
     */
    Lsn end() {
        for (int attempt = 0; attempt < 100; attempt++) {
            Lsn end = endOfListing();
            if (end != null) {
                return end;
            }
        }
        throw new IllegalStateException("the WAL in the repository changed under 100 listings in a row");
    }

    /** The end by one listing, or null when a partial segment it lists is gone. */
    private Lsn endOfListing() {
        Lsn end = Lsn.ZERO;
        for (String f : files()) {
            if (f.endsWith(".history")) {
                continue;
            }
            WalSegmentName n = WalSegmentName.parse(f.substring(0, 24), SEGMENT_SIZE);
            byte[] partial = f.endsWith(".partial") ? readListed(f) : null;
            if (f.endsWith(".partial") && partial == null) {
                return null;
            }
            Lsn e = partial != null ? n.start().plus(partial.length) : n.next().start();
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
            byte[] content = readListed(f);
            int at = content == null ? -1 : indexOf(content, needle);
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
            if (f.equals(seg + ".partial")) {
                byte[] partial = readListed(f);
                if (partial != null && seg.start().plus(partial.length).compareTo(lsn) >= 0) {
                    return f;
                }
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
