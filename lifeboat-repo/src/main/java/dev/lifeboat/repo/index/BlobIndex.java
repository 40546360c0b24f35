package dev.lifeboat.repo.index;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Where every blob of the repository is stored, kept compact: entries live in parallel primitive
 * arrays (49 bytes each) found through an open-addressing table of ints, so memory grows by bytes per
 * blob, not by objects per blob. Thread-safe.
 */
public final class BlobIndex {
    private static final int ID_LONGS = 4;
    private final List<BlobId> packs = new ArrayList<>();
    private final Map<BlobId, Integer> packNumbers = new HashMap<>();
    private long[] ids = new long[ID_LONGS * 1024];
    private int[] pack = new int[1024];
    private int[] offset = new int[1024];
    private int[] length = new int[1024];
    private int[] rawLength = new int[1024];
    private byte[] flags = new byte[1024];
    private int count;
    private int[] table = new int[2048];

    /** A blob's location: its pack and entry. */
    public record Location(BlobId pack, PackEntry entry) {
    }

    public synchronized int size() {
        return count;
    }

    public synchronized int packCount() {
        return packs.size();
    }

    /** Adds every entry of a pack; entries already present (the same blob in two packs) keep the first. */
    public synchronized void addPack(BlobId packId, List<PackEntry> entries) {
        int p = packNumbers.computeIfAbsent(packId, k -> {
            packs.add(k);
            return packs.size() - 1;
        });
        for (PackEntry e : entries) {
            add(p, e);
        }
    }

    private void add(int p, PackEntry e) {
        if (find(e.id()) >= 0) {
            return;
        }
        if (count == pack.length) {
            grow();
        }
        int i = count++;
        ids[i * ID_LONGS] = e.id().a();
        ids[i * ID_LONGS + 1] = e.id().b();
        ids[i * ID_LONGS + 2] = e.id().c();
        ids[i * ID_LONGS + 3] = e.id().d();
        pack[i] = p;
        offset[i] = e.offset();
        length[i] = e.length();
        rawLength[i] = e.rawLength();
        flags[i] = (byte) (e.type().code() | (e.compressed() ? 2 : 0));
        if (count * 4L > table.length * 3L) {
            rehash(table.length * 2);
        } else {
            insert(i);
        }
    }

    private void grow() {
        int n = pack.length * 2;
        ids = Arrays.copyOf(ids, n * ID_LONGS);
        pack = Arrays.copyOf(pack, n);
        offset = Arrays.copyOf(offset, n);
        length = Arrays.copyOf(length, n);
        rawLength = Arrays.copyOf(rawLength, n);
        flags = Arrays.copyOf(flags, n);
    }

    private void rehash(int size) {
        table = new int[size];
        for (int i = 0; i < count; i++) {
            insert(i);
        }
    }

    private void insert(int i) {
        int mask = table.length - 1;
        int s = slot(ids[i * ID_LONGS]) & mask;
        while (table[s] != 0) {
            s = (s + 1) & mask;
        }
        table[s] = i + 1;
    }

    private static int slot(long a) {
        return (int) (a ^ (a >>> 29));
    }

    private int find(BlobId id) {
        int mask = table.length - 1;
        int s = slot(id.a()) & mask;
        while (true) {
            int e = table[s];
            if (e == 0) {
                return -1;
            }
            int i = (e - 1) * ID_LONGS;
            if (ids[i] == id.a() && ids[i + 1] == id.b() && ids[i + 2] == id.c() && ids[i + 3] == id.d()) {
                return e - 1;
            }
            s = (s + 1) & mask;
        }
    }

    public synchronized boolean contains(BlobId id) {
        return find(id) >= 0;
    }

    /** The blob's location, or null when the repository does not hold it. */
    public synchronized Location lookup(BlobId id) {
        int i = find(id);
        return i < 0 ? null : new Location(packs.get(pack[i]), entry(i));
    }

    private PackEntry entry(int i) {
        BlobId id = new BlobId(ids[i * ID_LONGS], ids[i * ID_LONGS + 1], ids[i * ID_LONGS + 2],
                ids[i * ID_LONGS + 3]);
        return new PackEntry(id, BlobType.ofCode(flags[i] & 1), (flags[i] & 2) != 0, offset[i], length[i],
                rawLength[i]);
    }

    /** The entry number of a blob (0 to {@link #size()} - 1), or -1; entry numbers never change. */
    public synchronized int entryNumber(BlobId id) {
        return find(id);
    }

    /** The number of the pack holding an entry; see {@link #pack(int)}. */
    public synchronized int packNumberOf(int entry) {
        return pack[entry];
    }

    /** The sealed length of an entry. */
    public synchronized int lengthOf(int entry) {
        return length[entry];
    }

    /** The entry with its number. */
    public synchronized PackEntry entryAt(int entry) {
        return entry(entry);
    }

    /** The number of a pack, or -1 when no entry names it. */
    public synchronized int packNumber(BlobId packId) {
        Integer n = packNumbers.get(packId);
        return n == null ? -1 : n;
    }

    /** The id of the pack with a number. */
    public synchronized BlobId pack(int packNumber) {
        return packs.get(packNumber);
    }

    public synchronized List<BlobId> packs() {
        return List.copyOf(packs);
    }

    /** Calls {@code each} with every (pack, entry), grouped by nothing in particular. */
    public synchronized void forEach(BiConsumer<BlobId, PackEntry> each) {
        for (int i = 0; i < count; i++) {
            each.accept(packs.get(pack[i]), entry(i));
        }
    }

    /** Entries grouped by pack, in pack order; used to write index files and to check packs. */
    public synchronized Map<BlobId, List<PackEntry>> byPack() {
        Map<BlobId, List<PackEntry>> out = new HashMap<>();
        for (int i = 0; i < count; i++) {
            out.computeIfAbsent(packs.get(pack[i]), k -> new ArrayList<>()).add(entry(i));
        }
        return out;
    }

    /** Heap bytes used by the blob entries and table (pack list excluded), divided by the blob count. */
    public synchronized double bytesPerBlob() {
        if (count == 0) {
            return 0;
        }
        long used = (long) ids.length * 8 + (long) pack.length * 16 + flags.length + (long) table.length * 4;
        return (double) used / count;
    }
}
