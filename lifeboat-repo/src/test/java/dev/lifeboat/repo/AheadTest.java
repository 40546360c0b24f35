package dev.lifeboat.repo;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class AheadTest {
    private static List<Integer> drain(Iterator<Integer> it) {
        List<Integer> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void givesEveryElementInOrderWhateverTheBatchSize() {
        for (int n : new int[] {0, 1, 7, 8, 9, 1000}) {
            List<Integer> source = IntStream.range(0, n).boxed().toList();
            try (Ahead<Integer> ahead = new Ahead<>(source.iterator(), 8, 2, "test-ahead")) {
                assertThat(drain(ahead)).as("%d elements", n).isEqualTo(source);
                assertThat(ahead.hasNext()).isFalse();
                assertThat(catchThrowable(ahead::next)).isInstanceOf(NoSuchElementException.class);
            }
        }
    }

    @Test
    void throwsWhatTheSourceThrewWhereTheFailedElementWouldHaveCome() {
        Iterator<Integer> failing = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (i == 20) {
                    throw LifeboatException.integrity("tree blob 20 is damaged");
                }
                return i++;
            }
        };
        try (Ahead<Integer> ahead = new Ahead<>(failing, 8, 2, "test-ahead")) {
            List<Integer> seen = new ArrayList<>();
            Throwable t = catchThrowable(() -> ahead.forEachRemaining(seen::add));
            assertThat(seen).isEqualTo(IntStream.range(0, 20).boxed().toList());
            assertThat(t).isInstanceOf(LifeboatException.class).hasMessageContaining("tree blob 20 is damaged");
            assertThat(((LifeboatException) t).code()).isEqualTo(ErrorCode.INTEGRITY);
            assertThat(ahead.hasNext()).isFalse();
        }
    }

    @Test
    void readsNoMoreThanItsBatchesAheadAndStopsWhenClosed() throws InterruptedException {
        AtomicInteger produced = new AtomicInteger();
        Iterator<Integer> endless = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return produced.incrementAndGet();
            }
        };
        Ahead<Integer> ahead = new Ahead<>(endless, 10, 3, "test-ahead-endless");
        assertThat(ahead.next()).isEqualTo(1);
        Thread.sleep(200);
        // the batch taken, three queued, and one being filled while it waits for room
        assertThat(produced.get()).isBetween(10, 50);
        ahead.close();
        Thread filler = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("test-ahead-endless")).findFirst().orElse(null);
        if (filler != null) {
            filler.join(2000);
            assertThat(filler.isAlive()).as("the reading thread ends after close").isFalse();
        }
    }
}
