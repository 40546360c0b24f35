package dev.lifeboat.postgres.logical;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class DumpRowCounterTest {
    /** The shared sample, with a table of another schema whose rows look like markers, and one without a marker. */
    private static TestArchive sample() {
        return TestArchive.sample()
                .tableData(6, "Audit Log", "users")
                .tableData(7, "public", "unmarked")
                .dataBlock(6, "1\t\\.\n2\tx\n", "3\t\\\\.\n\\.\n", "\n\n")
                .dataBlock(7, "1\ta\n2\tb\n");
    }

    private static DumpRowCounter.Counts count(byte[] dump, int pieceSize, AtomicInteger unusable) {
        List<Integer> cuts = new ArrayList<>();
        for (int at = pieceSize; at < dump.length; at += pieceSize) {
            cuts.add(at);
        }
        return count(dump, cuts, unusable);
    }

    /** Feeds the dump in pieces that end at the given offsets, then at its end. */
    private static DumpRowCounter.Counts count(byte[] dump, List<Integer> cuts, AtomicInteger unusable) {
        // the caller reuses its array, as the chunk pipeline does: a counter that kept the array would see the
        // newlines written over every piece once it was given
        byte[] reused = new byte[dump.length + 3];
        try (DumpRowCounter counter = new DumpRowCounter(unusable::incrementAndGet)) {
            int at = 0;
            for (int cut : Stream.concat(cuts.stream(), Stream.of(dump.length)).toList()) {
                System.arraycopy(dump, at, reused, 3, cut - at);
                counter.accept(reused, 3, cut - at);
                Arrays.fill(reused, 3, 3 + cut - at, (byte) '\n');
                at = cut;
            }
            return counter.finish();
        }
    }

    @ParameterizedTest(name = "fed {0} bytes at a time")
    @ValueSource(ints = {1, 2, 3, 7, 64, 1 << 20})
    void countsTheRowsOfEveryTableWhereverTheDumpIsCut(int pieceSize) {
        AtomicInteger unusable = new AtomicInteger();

        DumpRowCounter.Counts counts = count(sample().bytes(), pieceSize, unusable);

        assertThat(counts.unusable()).isNull();
        assertThat(counts.rows()).isEqualTo(Map.of(
                List.of("public", "users"), 2L,
                List.of("public", "empty"), 0L,
                List.of("Audit Log", "users"), 3L,
                List.of("public", "unmarked"), 2L));
        assertThat(unusable).hasValue(0);
    }

    @Test
    void aTableWithMoreRowsThanTheTailHoldsIsCountedExactly() {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            rows.append(i).append("\tline ").append(i).append(i % 7 == 0 ? "\\n\\.\\\\." : "").append('\n');
        }
        byte[] dump = new TestArchive().tableData(3, "public", "big").dataBlock(3, rows.toString(), "\\.\n\n\n")
                .bytes();

        assertThat(count(dump, 4096, new AtomicInteger()).rows()).isEqualTo(Map.of(List.of("public", "big"), 10_000L));
        // the end marker inside a long piece, whose end is the last the counter sees of the block
        byte[] oneChunk = new TestArchive().tableData(3, "public", "big").dataBlock(3, rows + "\\.\n\n\n").bytes();
        for (int last = oneChunk.length - 16; last < oneChunk.length; last++) {
            assertThat(count(oneChunk, List.of(4096, last - 4096, last), new AtomicInteger()).rows())
                    .as("last cut at %d", last).isEqualTo(Map.of(List.of("public", "big"), 10_000L));
        }
    }

    @Test
    void newlineBytesInTheLengthsOfChunksAreNotRows() {
        // rows of 10 and 2,570 bytes: their length prefixes hold the byte 0x0A once and twice
        String shortRow = "12345678\t\n";
        String longRow = "x".repeat(2569) + "\n";
        List<String> chunks = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            chunks.add(i % 3 == 0 ? longRow : shortRow);
        }
        chunks.add("\\.\n");
        byte[] dump = new TestArchive().tableData(3, "public", "t").dataBlock(3, chunks.toArray(String[]::new)).bytes();

        for (int pieceSize : new int[] {1, 9, 4096, 1 << 20}) {
            assertThat(count(dump, pieceSize, new AtomicInteger()).rows()).as("fed %d bytes at a time", pieceSize)
                    .isEqualTo(Map.of(List.of("public", "t"), 300L));
        }
    }

    @Test
    void newlinesAreCountedExactlyEightBytesAtATime() {
        SplittableRandom random = new SplittableRandom(11);
        byte[] tricky = {'\n', (byte) 0x8A, 0x0B, 0x09, 0x00, (byte) 0xFF, 0x7F, 0x0A, 0x01, (byte) 0x80};
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[random.nextInt(1, 200)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : tricky[random.nextInt(tricky.length)];
            }
            int off = random.nextInt(b.length);
            int len = random.nextInt(b.length - off + 1);
            long expected = 0;
            for (int i = off; i < off + len; i++) {
                expected += b[i] == '\n' ? 1 : 0;
            }
            assertThat(DumpRowCounter.newlines(b, off, len)).isEqualTo(expected);
        }
    }

    @Test
    void anArchiveItCannotReadMakesTheCountsUnusableAndSaysSoOnce() {
        AtomicInteger unusable = new AtomicInteger();

        DumpRowCounter.Counts counts = count(sample().version(1, 15).bytes(), 5, unusable);

        assertThat(counts.usable()).isFalse();
        assertThat(counts.unusable()).contains("archive version 1.15");
        assertThat(counts.rows()).isEmpty();
        assertThat(unusable).hasValue(1);
    }

    @Test
    void whatIsNotAnArchiveOrNotCopyDataMakesTheCountsUnusable() {
        AtomicInteger unusable = new AtomicInteger();
        byte[] text = "SELECT 1;\n".repeat(10_000).getBytes(StandardCharsets.UTF_8);
        byte[] inserts = new TestArchive().entry(3, "TABLE DATA", "public", "t", 3, "", null, true)
                .dataBlock(3, "INSERT INTO public.t VALUES (1);\n").bytes();
        byte[] unterminated = new TestArchive().tableData(3, "public", "t").dataBlock(3, "1\ta\n2\tb").bytes();
        byte[] compressed = sample().compression(6).bytes();

        assertThat(count(text, 1000, unusable).unusable()).contains("PGDMP");
        assertThat(count(inserts, 1000, unusable).unusable()).contains("public.t are not COPY data");
        assertThat(count(unterminated, 3, unusable).unusable()).contains("public.t does not end as COPY data does");
        assertThat(count(compressed, 1000, unusable).unusable()).contains("compressed");
        assertThat(unusable).hasValue(4);
    }

    @Test
    void aCounterClosedBeforeTheDumpEndedStopsQuietly() {
        AtomicInteger unusable = new AtomicInteger();
        byte[] dump = sample().bytes();
        DumpRowCounter counter = new DumpRowCounter(unusable::incrementAndGet);
        counter.accept(dump, 0, dump.length / 2);

        counter.close();
        counter.accept(dump, dump.length / 2, dump.length - dump.length / 2);

        assertThat(counter.finish().usable()).isFalse();
        assertThat(unusable).hasValue(0);
    }

    @Test
    void aDumpThatEndsInsideABlockOrItsHeaderIsNotCounted() {
        AtomicInteger unusable = new AtomicInteger();
        byte[] dump = sample().bytes();

        assertThat(count(Arrays.copyOf(dump, dump.length - 3), 100, unusable).unusable())
                .isEqualTo("the dump ends inside a data block");
        assertThat(count(Arrays.copyOf(dump, 40), 100, unusable).unusable())
                .isEqualTo("the dump ends inside its header or table of contents");
        assertThat(unusable).hasValue(2);
    }
}
