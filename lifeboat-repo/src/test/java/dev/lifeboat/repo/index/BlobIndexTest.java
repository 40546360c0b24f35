package dev.lifeboat.repo.index;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.TestBytes;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BlobIndexTest {
    private static final int BLOBS = 1_000_000;
    private static final int BLOBS_PER_PACK = 1000;

    /** The entry the synthetic index holds for blob {@code i}; every field is derived from {@code i}. */
    private static PackEntry entry(int i) {
        int slot = i % BLOBS_PER_PACK;
        return new PackEntry(TestBytes.id(i), i % 5 == 0 ? BlobType.TREE : BlobType.DATA, i % 3 == 0,
                slot * 5000, 100 + slot, i);
    }

    private static BlobId packOf(int i) {
        return TestBytes.id(-1 - i / BLOBS_PER_PACK);
    }

    @Test
    void findsEveryOneOfAMillionBlobsInLittleMemory() {
        BlobIndex index = new BlobIndex();
        for (int p = 0; p < BLOBS / BLOBS_PER_PACK; p++) {
            List<PackEntry> entries = new ArrayList<>(BLOBS_PER_PACK);
            for (int i = p * BLOBS_PER_PACK; i < (p + 1) * BLOBS_PER_PACK; i++) {
                entries.add(entry(i));
            }
            index.addPack(packOf(p * BLOBS_PER_PACK), entries);
        }

        assertThat(index.size()).isEqualTo(BLOBS);
        assertThat(index.packCount()).isEqualTo(BLOBS / BLOBS_PER_PACK);
        for (int i = 0; i < BLOBS; i++) {
            BlobIndex.Location location = index.lookup(TestBytes.id(i));
            if (location == null || !location.pack().equals(packOf(i)) || !location.entry().equals(entry(i))) {
                assertThat(location).as("blob %d", i).isEqualTo(new BlobIndex.Location(packOf(i), entry(i)));
            }
        }
        for (int i = BLOBS; i < BLOBS + 10_000; i++) {
            assertThat(index.contains(TestBytes.id(i))).isFalse();
        }
        double bytesPerBlob = index.bytesPerBlob();
        System.out.printf("BlobIndex with %,d blobs: %.1f bytes per blob%n", BLOBS, bytesPerBlob);
        assertThat(bytesPerBlob).isLessThan(80);
    }

    @Test
    void aBlobInTwoPacksKeepsItsFirstLocation() {
        BlobIndex index = new BlobIndex();
        PackEntry first = new PackEntry(TestBytes.id(1), BlobType.DATA, false, 0, 100, 72);
        PackEntry second = new PackEntry(TestBytes.id(1), BlobType.DATA, true, 500, 60, 72);

        index.addPack(TestBytes.id(100), List.of(first));
        index.addPack(TestBytes.id(200),
                List.of(second, new PackEntry(TestBytes.id(2), BlobType.TREE, false, 0, 50, 9)));

        assertThat(index.size()).isEqualTo(2);
        assertThat(index.lookup(TestBytes.id(1))).isEqualTo(new BlobIndex.Location(TestBytes.id(100), first));
    }

    @Test
    void addingAPackTwiceAddsNothing() {
        BlobIndex index = new BlobIndex();
        List<PackEntry> entries = List.of(entry(1), entry(2));

        index.addPack(TestBytes.id(100), entries);
        index.addPack(TestBytes.id(100), entries);

        assertThat(index.size()).isEqualTo(2);
        assertThat(index.packs()).containsExactly(TestBytes.id(100));
    }

    @Test
    void idsThatShareTheirFirstEightBytesAreKeptApart() {
        BlobIndex index = new BlobIndex();
        List<PackEntry> entries = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            entries.add(new PackEntry(new BlobId(42, i, 0, 0), BlobType.DATA, false, i, 1 + i, i));
        }

        index.addPack(TestBytes.id(100), entries);

        assertThat(index.size()).isEqualTo(5000);
        for (PackEntry e : entries) {
            assertThat(index.lookup(e.id()).entry()).isEqualTo(e);
        }
        assertThat(index.contains(new BlobId(42, 0, 0, 1))).isFalse();
    }

    @Test
    void byPackAndForEachListEveryEntryWithItsPack() {
        BlobIndex index = new BlobIndex();
        Map<BlobId, List<PackEntry>> packs = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            packs.computeIfAbsent(packOf(i), k -> new ArrayList<>()).add(entry(i));
        }
        packs.forEach(index::addPack);

        assertThat(index.byPack()).isEqualTo(packs);
        Map<BlobId, List<PackEntry>> visited = new HashMap<>();
        index.forEach((pack, e) -> visited.computeIfAbsent(pack, k -> new ArrayList<>()).add(e));
        assertThat(visited).isEqualTo(packs);
        assertThat(index.packs()).containsExactlyInAnyOrderElementsOf(packs.keySet());
    }

    @Test
    void bytesPerBlobCountsTheEntryArraysAndTheTable() {
        BlobIndex index = new BlobIndex();
        List<PackEntry> entries = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            entries.add(entry(i));
        }

        index.addPack(TestBytes.id(-1), entries);

        // 1024 slots of 4 longs, 4 ints and 1 flag byte, plus a table of 2048 ints
        assertThat(index.bytesPerBlob()).isEqualTo((1024 * 49 + 2048 * 4) / 1024.0);
    }

    @Test
    void emptyIndexHoldsNothing() {
        BlobIndex index = new BlobIndex();

        assertThat(index.size()).isZero();
        assertThat(index.lookup(TestBytes.id(1))).isNull();
        assertThat(index.contains(TestBytes.id(1))).isFalse();
        assertThat(index.bytesPerBlob()).isZero();
        assertThat(index.byPack()).isEmpty();
    }
}
