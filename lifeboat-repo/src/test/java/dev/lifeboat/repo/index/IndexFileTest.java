package dev.lifeboat.repo.index;

import com.github.luben.zstd.Zstd;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Golden;
import dev.lifeboat.repo.TestBytes;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static dev.lifeboat.repo.TestBytes.repeated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class IndexFileTest {
    /** The index that the golden file {@code index-v1.hex} encodes. */
    static final IndexFile FIXED = new IndexFile(List.of(repeated(0x11)), orderedMap(
            repeated(0x22), List.of(
                    new PackEntry(repeated(0x33), BlobType.DATA, true, 0, 100, 200),
                    new PackEntry(repeated(0x44), BlobType.TREE, false, 100, 50, 22)),
            repeated(0x55), List.of(
                    new PackEntry(repeated(0x66), BlobType.DATA, false, 0, 4096, 4068))));

    @Test
    void encodeWritesTheGoldenFormat() {
        byte[] compressed = FIXED.encode();

        assertThat(Zstd.decompress(compressed, (int) Zstd.getFrameContentSize(compressed)))
                .isEqualTo(Golden.readHex("index-v1.hex"));
    }

    @Test
    void decodeReadsTheGoldenFormat() {
        assertThat(IndexFile.decode(Zstd.compress(Golden.readHex("index-v1.hex")), "index 'x'")).isEqualTo(FIXED);
    }

    /**
     * The compressed bytes as this version stored them. Encoding is not compared with them: another zstd
     * release may compress the same plaintext differently, which is allowed; reading old bytes must not break.
     */
    @Test
    void decodeReadsAnIndexObjectAsThisVersionStoredIt() {
        Golden.assertMatches("index-v1.zst.base64", Base64.getMimeEncoder().encodeToString(FIXED.encode()) + "\n");

        byte[] stored = Base64.getMimeDecoder().decode(Golden.read("index-v1.zst.base64").strip());

        assertThat(IndexFile.decode(stored, "index 'x'")).isEqualTo(FIXED);
    }

    @Test
    void encodeIsDeterministic() {
        assertThat(FIXED.encode()).isEqualTo(FIXED.encode());
    }

    @Test
    void roundTripKeepsEveryEntryAndThePackOrder() {
        Map<BlobId, List<PackEntry>> packs = new LinkedHashMap<>();
        int seed = 0;
        for (int p = 0; p < 50; p++) {
            List<PackEntry> entries = new ArrayList<>();
            for (int i = 0; i < p % 7; i++) {
                entries.add(new PackEntry(TestBytes.id(++seed), i % 3 == 0 ? BlobType.TREE : BlobType.DATA,
                        i % 2 == 0, i * 1000, 999, 2000 + i));
            }
            packs.put(TestBytes.id(1_000_000 + p), entries);
        }
        IndexFile index = new IndexFile(List.of(TestBytes.id(-1), TestBytes.id(-2)), packs);

        IndexFile decoded = IndexFile.decode(index.encode(), "index 'x'");

        assertThat(decoded).isEqualTo(index);
        assertThat(decoded.packs().keySet()).containsExactlyElementsOf(packs.keySet());
        assertThat(decoded.blobCount()).isEqualTo(index.blobCount()).isEqualTo(147);
    }

    @Test
    void scanGivesEachPackWithoutDecodingEntriesItSkips() {
        List<String> seen = new ArrayList<>();
        List<BlobId> supersedes = IndexFile.Plain.of(FIXED.encode(), "index 'x'").scan((pack, entries) -> {
            seen.add(pack.shortHex() + " has " + entries.count());
            if (entries.next()) {
                assertThat(entries.idPrefix()).isEqualTo(entries.id().a());
                seen.add(entries.entry().toString());
            }
        });

        assertThat(supersedes).containsExactly(repeated(0x11));
        assertThat(seen).containsExactly(repeated(0x22).shortHex() + " has 2",
                FIXED.packs().get(repeated(0x22)).get(0).toString(), repeated(0x55).shortHex() + " has 1",
                FIXED.packs().get(repeated(0x55)).get(0).toString());
    }

    @Test
    void emptyIndexRoundTrips() {
        IndexFile empty = new IndexFile(List.of(), Map.of());

        assertThat(IndexFile.decode(empty.encode(), "index 'x'")).isEqualTo(empty);
        assertThat(empty.blobCount()).isZero();
    }

    /**
     * The last object of a prune that removed every pack supersedes the old objects and lists no pack: the
     * reader once asked 33 bytes per superseded id (ids are 32), so five or more made the repository unreadable.
     */
    @ParameterizedTest(name = "{0} superseded ids")
    @ValueSource(ints = {1, 4, 5, 100})
    void anIndexThatOnlySupersedesRoundTrips(int count) {
        List<BlobId> supersedes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            supersedes.add(TestBytes.id(i));
        }
        IndexFile last = new IndexFile(supersedes, Map.of());

        assertThat(IndexFile.decode(last.encode(), "index 'x'")).isEqualTo(last);
    }

    @Test
    void indexFileKeepsItsOwnCopyOfTheMap() {
        Map<BlobId, List<PackEntry>> packs = new LinkedHashMap<>();
        IndexFile index = new IndexFile(List.of(), packs);

        packs.put(TestBytes.id(1), List.of());

        assertThat(index.packs()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not zstd                           | index 'x' has an invalid size
            empty                              | index 'x' does not decompress
            wrong magic                        | index 'x' is not a version 1 index
            version 2                          | index 'x' is not a version 1 index
            more superseded ids than bytes     | index 'x' claims 2 entries that do not fit
            negative pack count                | index 'x' claims -1 entries that do not fit
            huge entry count                   | index 'x' claims 2147483647 entries that do not fit
            last entry cut short               | index 'x' claims 1 entries that do not fit
            trailing byte                      | index 'x' has trailing bytes
            unknown blob type                  | index 'x' is malformed: unknown blob type 7
            zero blob length                   | index 'x' is malformed: invalid pack entry 100+0 raw 22
            """)
    void decodeOfDamagedBytesFailsWithIntegrity(String damage, String message) {
        byte[] plain = Golden.readHex("index-v1.hex");
        byte[] compressed = switch (damage) {
            case "not zstd" -> TestBytes.random(1, 100);
            case "empty" -> new byte[0];
            default -> Zstd.compress(damaged(damage, plain));
        };

        assertFails(() -> IndexFile.decode(compressed, "index 'x'"), ErrorCode.INTEGRITY)
                .hasMessage(message);
    }

    private static byte[] damaged(String damage, byte[] plain) {
        ByteBuffer b = ByteBuffer.wrap(plain);
        int packCount = 9 + 32;
        int firstEntry = packCount + 4 + 32 + 4;
        int secondEntry = firstEntry + 46;
        switch (damage) {
            case "wrong magic" -> b.put(0, (byte) 'X');
            case "version 2" -> b.put(4, (byte) 2);
            case "more superseded ids than bytes" -> {
                b.putInt(5, 2);
                return Arrays.copyOf(plain, 9 + 32);
            }
            case "negative pack count" -> b.putInt(packCount, -1);
            case "huge entry count" -> b.putInt(packCount + 4 + 32, Integer.MAX_VALUE);
            case "last entry cut short" -> {
                return Arrays.copyOf(plain, plain.length - 1);
            }
            case "trailing byte" -> {
                return Arrays.copyOf(plain, plain.length + 1);
            }
            case "unknown blob type" -> b.put(firstEntry, (byte) 7);
            case "zero blob length" -> b.putInt(secondEntry + 6, 0);
            default -> throw new IllegalArgumentException(damage);
        }
        return plain;
    }

    @Test
    void decodeOfAnIndexCutInsideAFixedFieldSaysSoPlainly() {
        byte[] compressed = Zstd.compress(Arrays.copyOf(Golden.readHex("index-v1.hex"), 7));

        assertFails(() -> IndexFile.decode(compressed, "index 'x'"), ErrorCode.INTEGRITY)
                .hasMessageStartingWith("index 'x' ")
                .hasMessageNotContaining("null");
    }

    @Test
    void decodeOfRandomlyDamagedPlaintextFailsOnlyWithIntegrity() {
        byte[] plain = Golden.readHex("index-v1.hex");
        SplittableRandom random = new SplittableRandom(2);

        for (int round = 0; round < 5_000; round++) {
            byte[] damaged = plain.clone();
            for (int flips = random.nextInt(1, 4); flips > 0; flips--) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                damaged = Arrays.copyOf(damaged, random.nextInt(damaged.length));
            }
            byte[] compressed = Zstd.compress(damaged);
            Throwable thrown = catchThrowable(() -> IndexFile.decode(compressed, "index 'x'"));
            if (thrown != null) {
                assertThat(thrown).as("round %d", round).isInstanceOfSatisfying(LifeboatException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY));
            }
        }
    }

    @Test
    void decodeOfRandomBytesFailsOnlyWithIntegrity() {
        for (int seed = 0; seed < 2_000; seed++) {
            byte[] garbage = TestBytes.random(seed, seed % 300);
            Throwable thrown = catchThrowable(() -> IndexFile.decode(garbage, "index 'x'"));
            assertThat(thrown).as("seed %d", seed).isInstanceOfSatisfying(LifeboatException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY));
        }
    }

    private static <K, V> Map<K, V> orderedMap(K k1, V v1, K k2, V v2) {
        Map<K, V> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }
}
