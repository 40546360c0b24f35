package dev.lifeboat.repo.prune;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.TestBytes;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class UsedBlobsTest {
    @Test
    void idsAddedManyTimesOverSeveralBatchesAreFoundOnce() {
        UsedBlobs used = new UsedBlobs();
        Set<Long> prefixes = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100_000; i++) {
                BlobId id = TestBytes.id(i * (round + 1));
                used.add(id);
                prefixes.add(id.a());
            }
        }

        assertThat(used.size()).isEqualTo(prefixes.size());
        for (long prefix : prefixes) {
            assertThat(used.indexOf(prefix)).isBetween(0, used.size() - 1);
        }
        assertThat(used.indexOf(TestBytes.id(-7).a())).isEqualTo(-1);
    }

    @Test
    void idsSharingTheirFirstEightBytesAreOneEntry() {
        UsedBlobs used = new UsedBlobs();
        used.add(new BlobId(42, 1, 2, 3));
        used.add(new BlobId(42, 9, 9, 9));

        assertThat(used.size()).isEqualTo(1);
        assertThat(used.indexOf(42)).isZero();
    }

    @Test
    void positionsAreDistinctAndDense() {
        UsedBlobs used = new UsedBlobs();
        for (long v : new long[] {5, -3, Long.MIN_VALUE, Long.MAX_VALUE, 0, 5}) {
            used.add(new BlobId(v, 0, 0, 0));
        }

        assertThat(used.size()).isEqualTo(5);
        Set<Integer> positions = new HashSet<>();
        for (long v : new long[] {5, -3, Long.MIN_VALUE, Long.MAX_VALUE, 0}) {
            positions.add(used.indexOf(v));
        }
        assertThat(positions).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    }
}
