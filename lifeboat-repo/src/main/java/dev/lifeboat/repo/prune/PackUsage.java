package dev.lifeboat.repo.prune;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.index.IndexFile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of each pack the snapshots use, counted while streaming the index objects once, without holding
 * the index: a few numbers per pack and two bits per used blob.
 *
 * <p>An entry whose id prefix is in {@link UsedBlobs} counts as used. A blob stored in several packs (two
 * concurrent backups saved it) keeps one copy, the first in index order; the others count as unused. A
 * prefix found more than once may instead be two different blobs sharing 8 bytes, so such prefixes are
 * settled by their full ids in a second pass: each distinct id keeps one copy. Prune thus never counts a
 * copy of a needed blob as unused; a prefix shared with an unneeded blob only keeps that blob too.
 */
final class PackUsage {
    private final UsedBlobs used;
    private final List<BlobId> packs = new ArrayList<>();
    private final Map<BlobId, Integer> numbers = new HashMap<>();
    private int[] entries = new int[1024];
    private int[] usedCount = new int[1024];
    private long[] usedBytes = new long[1024];
    private long blobs;
    /** Used positions found in the index once, and more than once. */
    private final BitSet found;
    private final BitSet repeated;
    /** For repeated prefixes only: the pack number of the copy each full id keeps. */
    private final Map<BlobId, Integer> keptCopy = new HashMap<>();

    private PackUsage(UsedBlobs used) {
        this.used = used;
        this.found = new BitSet(used.size());
        this.repeated = new BitSet(used.size());
    }

    /** Counts the used blobs of every pack that the given (not superseded) index objects name. */
    static PackUsage count(Repository repo, List<BlobId> indexIds, UsedBlobs used) {
        PackUsage usage = new PackUsage(used);
        usage.scanFirstListings(repo, indexIds, (n, pack, entries) -> usage.countPack(n, entries));
        if (!usage.repeated.isEmpty()) {
            usage.scanFirstListings(repo, indexIds, (n, pack, entries) -> usage.settleRepeated(n, entries));
        }
        return usage;
    }

    /** Receives each pack of the index at its first listing, with its pack number. */
    interface PackVisitor {
        void pack(int number, BlobId pack, IndexFile.Entries entries);
    }

    /**
     * Streams the index objects and gives the visitor each pack where it is first listed (a pack listed in
     * two objects counts once, as the first listing says), numbering new packs in that order.
     */
    void scanFirstListings(Repository repo, List<BlobId> indexIds, PackVisitor visitor) {
        BitSet listed = new BitSet();
        repo.forEachIndexPlain(indexIds, (id, plain) -> {
            plain.scan((pack, entries) -> {
                int n = numbers.computeIfAbsent(pack, this::addPack);
                if (!listed.get(n)) {
                    listed.set(n);
                    visitor.pack(n, pack, entries);
                }
            });
            return true;
        });
    }

    private int addPack(BlobId pack) {
        int n = packs.size();
        packs.add(pack);
        if (n == entries.length) {
            entries = Arrays.copyOf(entries, n * 2);
            usedCount = Arrays.copyOf(usedCount, n * 2);
            usedBytes = Arrays.copyOf(usedBytes, n * 2);
        }
        return n;
    }

    private void countPack(int n, IndexFile.Entries e) {
        entries[n] = e.count();
        blobs += e.count();
        while (e.next()) {
            int j = used.indexOf(e.idPrefix());
            if (j >= 0) {
                if (found.get(j)) {
                    repeated.set(j);
                } else {
                    found.set(j);
                }
                usedCount[n]++;
                usedBytes[n] += e.length();
            }
        }
    }

    private void settleRepeated(int n, IndexFile.Entries e) {
        while (e.next()) {
            int j = used.indexOf(e.idPrefix());
            if (j >= 0 && repeated.get(j) && keptCopy.putIfAbsent(e.id(), n) != null) {
                usedCount[n]--;
                usedBytes[n] -= e.length();
            }
        }
    }

    /**
     * Whether the current entry of a pack being repacked is the copy to keep; for a repeated id only its kept
     * copy answers true, and only once (a pack listing one blob twice).
     */
    boolean keeps(int n, IndexFile.Entries e) {
        int j = used.indexOf(e.idPrefix());
        if (j < 0) {
            return false;
        }
        return !repeated.get(j) || keptCopy.remove(e.id(), n);
    }

    /** The number of used prefixes that no index entry has: blobs snapshots need that are missing. */
    int missing() {
        return used.size() - found.cardinality();
    }

    /** Whether a used blob's prefix was found in the index. */
    boolean isIndexed(BlobId id) {
        int j = used.indexOf(id.a());
        return j >= 0 && found.get(j);
    }

    int packCount() {
        return packs.size();
    }

    /** The pack's number, or -1 when no index object names it. */
    int number(BlobId pack) {
        Integer n = numbers.get(pack);
        return n == null ? -1 : n;
    }

    BlobId pack(int n) {
        return packs.get(n);
    }

    int entries(int n) {
        return entries[n];
    }

    int usedCount(int n) {
        return usedCount[n];
    }

    long usedBytes(int n) {
        return usedBytes[n];
    }

    /** Index entries of all packs (a blob stored in two packs counts twice). */
    long blobs() {
        return blobs;
    }

    /** Used blobs found in the index. */
    long usedBlobs() {
        return found.cardinality();
    }
}
