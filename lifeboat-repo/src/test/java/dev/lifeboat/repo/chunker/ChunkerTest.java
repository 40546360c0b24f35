package dev.lifeboat.repo.chunker;

import dev.lifeboat.repo.Golden;
import dev.lifeboat.repo.TestBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChunkerTest {
    /** Small chunks so that a few MiB of input give hundreds of them. */
    private static final ChunkerParams SMALL = new ChunkerParams(1024, 4096, 16 * 1024, 42);
    private static final long GOLDEN_SEED = 0x6c696665626f6174L;
    private static final int GOLDEN_INPUT_BYTES = 8 * 1024 * 1024;

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 1023, 1024, 1025, 16 * 1024, 16 * 1024 + 1, 3 * 16 * 1024 + 17, 1024 * 1024})
    void chunksConcatenateToTheInput(int size) {
        byte[] input = TestBytes.random(size, size);

        List<byte[]> chunks = chunks(SMALL, input, Integer.MAX_VALUE);

        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        chunks.forEach(joined::writeBytes);
        assertThat(joined.toByteArray()).isEqualTo(input);
        assertThat(chunks).allSatisfy(c -> assertThat(c).isNotEmpty());
    }

    @Test
    void everyChunkButTheLastIsWithinTheMinimumAndMaximum() {
        List<Integer> lengths = lengths(chunks(SMALL, TestBytes.random(1, 4 * 1024 * 1024 + 5), Integer.MAX_VALUE));

        assertThat(lengths.subList(0, lengths.size() - 1)).allSatisfy(n -> assertThat(n).isBetween(1024, 16 * 1024));
        assertThat(lengths.get(lengths.size() - 1)).isBetween(1, 16 * 1024);
    }

    @Test
    void dataWithoutAnyBoundaryIsCutAtTheMaximum() {
        List<Integer> lengths = lengths(chunks(SMALL, new byte[10 * 16 * 1024 + 7], Integer.MAX_VALUE));

        assertThat(lengths).hasSize(11).containsOnly(16 * 1024, 7).endsWith(7);
    }

    @Test
    void averageChunkIsNearTheAverageSize() {
        List<Integer> lengths = lengths(chunks(SMALL, TestBytes.random(2, 4 * 1024 * 1024), Integer.MAX_VALUE));

        double average = lengths.stream().mapToInt(Integer::intValue).average().orElseThrow();
        assertThat(average).isBetween(4096 * 0.75, 4096 * 1.5);
    }

    @Test
    void theSameSeedGivesTheSameBoundaries() {
        byte[] input = TestBytes.random(3, 1024 * 1024);

        assertThat(lengths(chunks(SMALL, input, Integer.MAX_VALUE)))
                .isEqualTo(lengths(chunks(new ChunkerParams(1024, 4096, 16 * 1024, 42), input, Integer.MAX_VALUE)));
    }

    @Test
    void anotherSeedGivesOtherBoundaries() {
        byte[] input = TestBytes.random(3, 1024 * 1024);

        assertThat(lengths(chunks(SMALL, input, Integer.MAX_VALUE)))
                .isNotEqualTo(lengths(chunks(new ChunkerParams(1024, 4096, 16 * 1024, 43), input, Integer.MAX_VALUE)));
    }

    @ParameterizedTest(name = "reads of at most {0} bytes")
    @ValueSource(ints = {1, 7919, 16 * 1024, 65536})
    void boundariesDoNotDependOnHowTheStreamDeliversBytes(int readSize) {
        byte[] input = TestBytes.random(4, 1024 * 1024);

        assertThat(lengths(chunks(SMALL, input, readSize)))
                .isEqualTo(lengths(chunks(SMALL, input, Integer.MAX_VALUE)));
    }

    @Test
    void cutOnDataInMemoryAgreesWithTheStream() {
        byte[] input = TestBytes.random(5, 1024 * 1024);
        Chunker cutter = new Chunker(SMALL);

        List<Integer> lengths = new ArrayList<>();
        for (int off = 0; off < input.length; ) {
            int n = cutter.cut(input, off, input.length - off);
            lengths.add(n);
            off += n;
        }

        assertThat(lengths).isEqualTo(lengths(chunks(SMALL, input, Integer.MAX_VALUE)));
    }

    @Test
    void resetStartsOverOnAnotherStream() throws IOException {
        byte[] first = TestBytes.random(9, 100_000);
        byte[] second = TestBytes.random(10, 200_000);
        Chunker chunker = new Chunker(SMALL, new ByteArrayInputStream(first));
        chunker.next();

        chunker.reset(new ByteArrayInputStream(second));

        List<Integer> lengths = new ArrayList<>();
        for (byte[] c = chunker.next(); c != null; c = chunker.next()) {
            lengths.add(c.length);
        }
        assertThat(lengths).isEqualTo(lengths(chunks(SMALL, second, Integer.MAX_VALUE)));
    }

    @Test
    void aChunkerMadeForDataInMemoryRefusesToRead() {
        Chunker cutter = new Chunker(SMALL);

        assertThatThrownBy(cutter::next)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("this chunker only cuts data held in memory");
    }

    @ParameterizedTest(name = "{0} bytes inserted")
    @ValueSource(ints = {1, 100, 5000})
    void insertingBytesAtTheFrontResynchronises(int inserted) {
        byte[] input = TestBytes.random(6, 2 * 1024 * 1024);
        byte[] shifted = concat(TestBytes.random(7, inserted), input);

        Set<ByteBuffer> original = contents(chunks(SMALL, input, Integer.MAX_VALUE));
        List<byte[]> after = chunks(SMALL, shifted, Integer.MAX_VALUE);

        long shared = after.stream().map(ByteBuffer::wrap).filter(original::contains).count();
        // normalized chunking may take a few chunks to fall back onto the same cut points
        assertThat(shared).isGreaterThanOrEqualTo(after.size() * 95L / 100);
    }

    @Test
    void anEditInTheMiddleChangesOnlyTheChunksAroundIt() {
        byte[] input = TestBytes.random(8, 2 * 1024 * 1024);
        byte[] edited = input.clone();
        edited[input.length / 2] ^= 1;

        Set<ByteBuffer> original = contents(chunks(SMALL, input, Integer.MAX_VALUE));
        List<byte[]> after = chunks(SMALL, edited, Integer.MAX_VALUE);

        long changed = after.stream().map(ByteBuffer::wrap).filter(c -> !original.contains(c)).count();
        assertThat(changed).isBetween(1L, after.size() / 20L);
    }

    /** The chunk lengths of the repository defaults and of tree streams are part of the format. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"default, chunker-default-lengths.txt", "trees, chunker-tree-lengths.txt"})
    void chunkLengthsMatchTheGoldenFile(String which, String golden) {
        ChunkerParams params = which.equals("trees")
                ? ChunkerParams.defaults(GOLDEN_SEED).forTrees()
                : ChunkerParams.defaults(GOLDEN_SEED);

        List<Integer> lengths = lengths(chunks(params, TestBytes.random(GOLDEN_SEED, GOLDEN_INPUT_BYTES), 1 << 20));

        Golden.assertMatches(golden, "# chunk lengths of TestBytes.random(0x6c696665626f6174L, 8 MiB) with "
                + params + "\n" + lengths.stream().map(String::valueOf).collect(Collectors.joining("\n")) + "\n");
    }

    @Test
    void forTreesUsesSmallerChunksAndAnotherSeed() {
        ChunkerParams trees = ChunkerParams.defaults(5).forTrees();

        assertThat(trees).isEqualTo(new ChunkerParams(16 * 1024, 64 * 1024, 256 * 1024, 5 ^ 0x7472656573L));
    }

    @ParameterizedTest(name = "{0}/{1}/{2}")
    @CsvSource(delimiter = '|', textBlock = """
            1024 | 3000  | 16384    | chunker average size must be a power of two, got 3000
            1024 | 0     | 16384    | chunker average size must be a power of two, got 0
            63   | 4096  | 16384    | chunker sizes must satisfy 64 <= min < avg < max <= 64 MiB, got 63/4096/16384
            4096 | 4096  | 16384    | chunker sizes must satisfy 64 <= min < avg < max <= 64 MiB, got 4096/4096/16384
            1024 | 4096  | 4096     | chunker sizes must satisfy 64 <= min < avg < max <= 64 MiB, got 1024/4096/4096
            1024 | 4096  | 67108865 | chunker sizes must satisfy 64 <= min < avg < max <= 64 MiB, got 1024/4096/67108865
            """)
    void paramsRejectSizesThatCannotWork(int min, int avg, int max, String message) {
        assertThatThrownBy(() -> new ChunkerParams(min, avg, max, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    private static List<byte[]> chunks(ChunkerParams params, byte[] input, int readSize) {
        Chunker chunker = new Chunker(params, new TrickleInputStream(input, readSize));
        List<byte[]> out = new ArrayList<>();
        try {
            for (byte[] c = chunker.next(); c != null; c = chunker.next()) {
                out.add(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<Integer> lengths(List<byte[]> chunks) {
        return chunks.stream().map(c -> c.length).toList();
    }

    private static Set<ByteBuffer> contents(List<byte[]> chunks) {
        Set<ByteBuffer> out = new HashSet<>();
        chunks.forEach(c -> out.add(ByteBuffer.wrap(c)));
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Hands out at most {@code readSize} bytes per read, like a pipe or a socket. */
    private static final class TrickleInputStream extends ByteArrayInputStream {
        private final int readSize;

        TrickleInputStream(byte[] data, int readSize) {
            super(data);
            this.readSize = readSize;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, readSize));
        }
    }
}
