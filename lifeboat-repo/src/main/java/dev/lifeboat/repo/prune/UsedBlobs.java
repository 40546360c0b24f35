package dev.lifeboat.repo.prune;

import dev.lifeboat.repo.BlobId;

import java.util.Arrays;

/**
 * The blobs that snapshots need, as a sorted array of the first 8 bytes of their ids (8 bytes per blob, and
 * up to half as much again of room to grow).
 * Two ids sharing a prefix are one entry here, so a prefix can stand for a blob no snapshot needs: a
 * caller MUST treat that as "maybe used" (keep), never the reverse. Ids are added in batches that are
 * sorted and merged, so adding the same ids again (snapshots sharing most blobs) costs no memory. Lookups
 * start from a table of where each run of leading bits begins (half a byte per prefix): ids are keyed
 * hashes, so the runs are even and a lookup touches a few neighbouring prefixes instead of a binary search
 * of the whole array.
 */
final class UsedBlobs {
    private static final int MIN_BATCH = 1 << 16;
    private long[] sorted = new long[0];
    private int size;
    private long[] batch = new long[MIN_BATCH];
    private int batchSize;
    /** Where the prefixes whose top bits (sign flipped, so that the order is kept) are k start; null when stale. */
    private int[] starts;
    private int shift;

    void add(BlobId id) {
        if (batchSize == batch.length) {
            merge();
        }
        batch[batchSize++] = id.a();
    }

    /** The number of distinct prefixes; merges the pending batch. */
    int size() {
        merge();
        return size;
    }

    /** The position of a prefix (0 to {@link #size()} - 1), or -1; call {@link #size()} first after adding. */
    int indexOf(long prefix) {
        if (starts == null) {
            indexStarts();
        }
        int k = (int) ((prefix ^ Long.MIN_VALUE) >>> shift);
        int i = Arrays.binarySearch(sorted, starts[k], starts[k + 1], prefix);
        return i < 0 ? -1 : i;
    }

    private void indexStarts() {
        int bits = Math.max(1, 31 - Integer.numberOfLeadingZeros(Math.max(1, size / 8)));
        shift = 64 - bits;
        starts = new int[(1 << bits) + 1];
        int k = 0;
        for (int i = 0; i < size; i++) {
            int top = (int) ((sorted[i] ^ Long.MIN_VALUE) >>> shift);
            while (k <= top) {
                starts[k++] = i;
            }
        }
        while (k < starts.length) {
            starts[k++] = size;
        }
    }

    private void merge() {
        Arrays.sort(batch, 0, batchSize);
        int fresh = 0;
        for (int i = 0; i < batchSize; i++) {
            long v = batch[i];
            if ((fresh == 0 || batch[fresh - 1] != v) && indexOf(v) < 0) {
                batch[fresh++] = v;
            }
        }
        if (fresh > 0) {
            if (sorted.length < size + fresh) {
                // grown by half at least, so that few arrays are left behind as garbage
                sorted = Arrays.copyOf(sorted, Math.max(size + fresh, size + size / 2));
            }
            // merged from the back in place: the free tail takes the larger values first
            int a = size - 1;
            int b = fresh - 1;
            for (int o = size + fresh - 1; b >= 0; o--) {
                sorted[o] = a >= 0 && sorted[a] > batch[b] ? sorted[a--] : batch[b--];
            }
            size += fresh;
            starts = null;
        }
        batchSize = 0;
        // batches of a quarter of the set keep merging linear overall, whatever the number of snapshots
        int want = Math.max(MIN_BATCH, size / 4);
        if (batch.length < want) {
            batch = new long[want];
        }
    }
}
