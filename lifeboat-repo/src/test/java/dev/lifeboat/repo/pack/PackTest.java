package dev.lifeboat.repo.pack;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBytes;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.crypto.MasterKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class PackTest {
    private final MasterKey key = MasterKey.random();
    private final BlobCodec codec = new BlobCodec(key, 3);
    private final List<byte[]> blobs = List.of(new byte[50_000], TestBytes.random(1, 20_000), new byte[] {7},
            TestBytes.random(2, 3));

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private byte[] finish(PackWriter writer) {
        writer.finish(key);
        return out.toByteArray();
    }

    private PackWriter writePack() {
        PackWriter writer = new PackWriter(out);
        for (int i = 0; i < blobs.size(); i++) {
            byte[] plain = blobs.get(i);
            writer.add(key.blobId(plain, 0, plain.length), i == 2 ? BlobType.TREE : BlobType.DATA,
                    codec.encode(plain));
        }
        return writer;
    }

    @Test
    void sealingUsesOneBufferPerThreadForCompressedAndStoredBlobsAlike() {
        byte[] compressible = new byte[300_000];
        byte[] random = TestBytes.random(77, 300_000);
        byte[] small = TestBytes.random(78, 1000);
        BlobCodec.Sealed first = codec.seal(compressible);
        assertThat(first.compressed()).isTrue();
        assertThat(codec.decode(first.buffer(), 0, first.length(), true, compressible.length, "blob"))
                .isEqualTo(compressible);
        BlobCodec.Sealed second = codec.seal(random);
        assertThat(second.compressed()).isFalse();
        assertThat(second.buffer()).isSameAs(first.buffer());
        assertThat(codec.decode(second.buffer(), 0, second.length(), false, random.length, "blob")).isEqualTo(random);
        BlobCodec.Sealed third = codec.seal(small);
        assertThat(third.buffer()).isSameAs(first.buffer());
        assertThat(codec.decode(third.buffer(), 0, third.length(), third.compressed(), small.length, "blob"))
                .isEqualTo(small);
    }

    @Test
    void threadsThatComeAndGoReuseTheNativeZstdContextsInsteadOfEachLeakingItsOwn() throws Exception {
        byte[] compressible = new byte[300_000];
        for (int i = 0; i < compressible.length; i++) {
            compressible[i] = (byte) ('a' + i % 7);
        }
        codec.decode(codec.encode(compressible).sealed(), 0, codec.encode(compressible).sealed().length, true,
                compressible.length, "warm-up");
        int before = BlobCodec.contextsCreated();
        for (int i = 0; i < 20; i++) {
            // a thread per round, one after another, as every command's workers are: zstd-jni frees a context only
            // when it is closed, so each thread's own would stay allocated for the life of the process
            Thread t = new Thread(() -> {
                BlobCodec.Encoded e = codec.encode(compressible);
                assertThat(e.compressed()).isTrue();
                assertThat(codec.decode(e.sealed(), 0, e.sealed().length, true, compressible.length, "blob"))
                        .isEqualTo(compressible);
            });
            t.start();
            t.join();
        }
        assertThat(BlobCodec.contextsCreated() - before).isZero();
    }

    @Test
    void parseReadsTheEntriesTheWriterWrote() {
        PackWriter writer = writePack();

        byte[] pack = finish(writer);

        assertThat(PackHeader.parse(pack, key, "pack 'p'")).isEqualTo(writer.entries());
        assertThat(writer.count()).isEqualTo(4);
    }

    @Test
    void blobsLieEndToEndFromTheStartOfThePack() {
        PackWriter writer = writePack();
        List<PackEntry> entries = writer.entries();

        int offset = 0;
        for (PackEntry e : entries) {
            assertThat(e.offset()).isEqualTo(offset);
            offset += e.length();
        }
        assertThat(writer.size()).isEqualTo(offset);
        assertThat(entries).extracting(PackEntry::type)
                .containsExactly(BlobType.DATA, BlobType.DATA, BlobType.TREE, BlobType.DATA);
        assertThat(entries).extracting(PackEntry::rawLength).containsExactly(50_000, 20_000, 1, 3);
    }

    @Test
    void everyBlobDecodesFromThePackBytes() {
        PackWriter writer = writePack();
        byte[] pack = finish(writer);

        List<PackEntry> entries = PackHeader.parse(pack, key, "pack 'p'");

        for (int i = 0; i < blobs.size(); i++) {
            PackEntry e = entries.get(i);
            byte[] plain = codec.decode(pack, e.offset(), e.length(), e.compressed(), e.rawLength(), "blob");
            assertThat(plain).isEqualTo(blobs.get(i));
            assertThat(key.blobId(plain, 0, plain.length)).isEqualTo(e.id());
        }
    }

    @Test
    void packEndsWithTheSealedHeaderAndItsLength() {
        PackWriter writer = writePack();

        byte[] pack = finish(writer);

        int headerLength = PackHeader.readIntLE(pack, pack.length - 4);
        assertThat(headerLength).isEqualTo(9 + 4 * PackHeader.ENTRY_BYTES + MasterKey.OVERHEAD);
        assertThat(pack).hasSize((int) writer.size() + headerLength + 4);
        assertThat(writer.length()).isEqualTo(pack.length);
        assertThat(Arrays.copyOf(key.open(pack, (int) writer.size(), headerLength, "header"), 4))
                .isEqualTo("LBPK".getBytes());
    }

    @Test
    void aPackHoldingAnEmptyBlobCanBeRead() {
        PackWriter writer = new PackWriter(out);
        byte[] empty = new byte[0];
        writer.add(key.blobId(empty, 0, 0), BlobType.DATA, codec.encode(empty));
        byte[] pack = finish(writer);

        List<PackEntry> entries = PackHeader.parse(pack, key, "pack 'p'");

        assertThat(entries).isEqualTo(writer.entries());
        PackEntry e = entries.get(0);
        assertThat(codec.decode(pack, e.offset(), e.length(), e.compressed(), e.rawLength(), "blob")).isEmpty();
    }

    @Test
    void readFromABackendAgreesWithParse() {
        byte[] pack = finish(writePack());
        MemoryBackend backend = new MemoryBackend();
        ObjectName name = new ObjectName(ObjectKind.DATA, "ab" + "00".repeat(31));
        backend.put(name, pack);

        assertThat(PackHeader.read(backend, name, key)).isEqualTo(PackHeader.parse(pack, key, "pack 'x'"));
    }

    @Test
    void finishNamesThePackByTheSha256OfEveryByteWritten() {
        PackWriter writer = writePack();

        BlobId id = writer.finish(key);

        byte[] pack = out.toByteArray();
        assertThat(id).isEqualTo(Repository.sha256(pack, 0, pack.length));
    }

    @Test
    void emptyPackHasAnEmptyHeader() {
        byte[] pack = finish(new PackWriter(out));

        assertThat(PackHeader.parse(pack, key, "p")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            only 10 bytes left     | pack 'ab12' is truncated (10 bytes)
            header length 0        | pack 'ab12' has an invalid header length 0
            header length too big  | pack 'ab12' has an invalid header length 100000
            negative header length | pack 'ab12' has an invalid header length -1
            flipped header byte    | pack 'ab12' header failed authentication (damaged or written with another key)
            header of another key  | pack 'ab12' header failed authentication (damaged or written with another key)
            """)
    void damagedPacksFailWithIntegrityNamingThePack(String damage, String message) {
        byte[] pack = damage(damage, finish(writePack()));
        MemoryBackend backend = new MemoryBackend();
        ObjectName name = new ObjectName(ObjectKind.DATA, "ab12");
        backend.put(name, pack);

        assertFails(() -> PackHeader.parse(pack, key, "pack 'ab12'"), ErrorCode.INTEGRITY).hasMessage(message);
        assertFails(() -> PackHeader.read(backend, name, key), ErrorCode.INTEGRITY).hasMessage(message);
    }

    private byte[] damage(String damage, byte[] pack) {
        int headerLength = PackHeader.readIntLE(pack, pack.length - 4);
        switch (damage) {
            case "only 10 bytes left" -> {
                return Arrays.copyOf(pack, 10);
            }
            case "header length 0" -> PackHeader.writeIntLE(pack, pack.length - 4, 0);
            case "header length too big" -> PackHeader.writeIntLE(pack, pack.length - 4, 100_000);
            case "negative header length" -> PackHeader.writeIntLE(pack, pack.length - 4, -1);
            case "flipped header byte" -> pack[pack.length - 4 - headerLength / 2] ^= 1;
            case "header of another key" -> {
                byte[] other = MasterKey.random().seal(new byte[headerLength - MasterKey.OVERHEAD]);
                System.arraycopy(other, 0, pack, pack.length - 4 - headerLength, headerLength);
            }
            default -> throw new IllegalArgumentException(damage);
        }
        return pack;
    }

    @Test
    void aPackCutShortFailsWithIntegrityNamingThePack() {
        byte[] pack = finish(writePack());

        for (int cut = 1; cut < 200; cut++) {
            byte[] truncated = Arrays.copyOf(pack, pack.length - cut);
            assertThatThrownBy(() -> PackHeader.parse(truncated, key, "pack 'ab12'"))
                    .as("cut by %d bytes", cut)
                    .isInstanceOfSatisfying(LifeboatException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY))
                    .hasMessageStartingWith("pack 'ab12' ");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty                           | h has no pack header magic
            wrong magic                     | h has no pack header magic
            version 2                       | h has unsupported pack version 2
            more entries than bytes         | h header claims 3 blobs in 93 bytes
            negative entry count            | h header claims -1 blobs in 93 bytes
            trailing byte                   | h header claims 2 blobs in 94 bytes
            unknown blob type               | h entry 1: unknown blob type 5
            unknown flag                    | h entry 0 is invalid
            length below the overhead       | h entry 1 is invalid
            blob beyond the blobs           | h entry 1 is invalid
            """)
    void decodeRejectsMalformedHeaders(String damage, String message) {
        BlobId id = TestBytes.id(1);
        byte[] h = PackHeader.encode(List.of(new PackEntry(id, BlobType.DATA, true, 0, 100, 300),
                new PackEntry(id, BlobType.TREE, false, 100, 50, 22)));
        long blobsLength = 150;
        switch (damage) {
            case "empty" -> h = new byte[0];
            case "wrong magic" -> h[3] = 'X';
            case "version 2" -> h[4] = 2;
            case "more entries than bytes" -> PackHeader.writeIntLE(h, 5, 3);
            case "negative entry count" -> PackHeader.writeIntLE(h, 5, -1);
            case "trailing byte" -> h = Arrays.copyOf(h, h.length + 1);
            case "unknown blob type" -> h[9 + PackHeader.ENTRY_BYTES] = 5;
            case "unknown flag" -> h[10] = 3;
            case "length below the overhead" -> PackHeader.writeIntLE(h, 11 + PackHeader.ENTRY_BYTES,
                    MasterKey.OVERHEAD - 1);
            case "blob beyond the blobs" -> blobsLength = 149;
            default -> throw new IllegalArgumentException(damage);
        }
        byte[] header = h;
        long length = blobsLength;

        assertFails(() -> PackHeader.decode(header, length, "h"), ErrorCode.INTEGRITY).hasMessage(message);
    }

    @Test
    void decodeOfRandomlyDamagedHeadersFailsOnlyWithIntegrity() {
        List<PackEntry> entries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            entries.add(new PackEntry(TestBytes.id(i), BlobType.DATA, i % 2 == 0, i * 100, 100, 300));
        }
        byte[] header = PackHeader.encode(entries);
        SplittableRandom random = new SplittableRandom(1);

        for (int round = 0; round < 10_000; round++) {
            byte[] damaged = header.clone();
            for (int flips = random.nextInt(1, 4); flips > 0; flips--) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                damaged = Arrays.copyOf(damaged, random.nextInt(damaged.length));
            }
            byte[] input = damaged;
            Throwable thrown = catchThrowable(() -> PackHeader.decode(input, 500, "h"));
            if (thrown != null) {
                assertThat(thrown).as("round %d", round).isInstanceOfSatisfying(LifeboatException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY));
            }
        }
    }

    @Test
    void codecCompressesCompressibleData() {
        byte[] plain = new byte[1024 * 1024];
        Arrays.fill(plain, 0, 1000, (byte) 1);

        BlobCodec.Encoded encoded = codec.encode(plain);

        assertThat(encoded.compressed()).isTrue();
        assertThat(encoded.rawLength()).isEqualTo(plain.length);
        assertThat(encoded.sealed().length).isLessThan(plain.length / 100);
        assertThat(decode(encoded)).isEqualTo(plain);
    }

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({"10", "10000", "131072", "1048576"})
    void codecStoresRandomDataUncompressed(int size) {
        byte[] plain = TestBytes.random(size, size);

        BlobCodec.Encoded encoded = codec.encode(plain);

        assertThat(encoded.compressed()).isFalse();
        assertThat(encoded.sealed()).hasSize(size + MasterKey.OVERHEAD);
        assertThat(decode(encoded)).isEqualTo(plain);
    }

    @Test
    void codecAtLevelZeroNeverCompresses() {
        BlobCodec.Encoded encoded = new BlobCodec(key, 0).encode(new byte[100_000]);

        assertThat(encoded.compressed()).isFalse();
        assertThat(encoded.sealed()).hasSize(100_000 + MasterKey.OVERHEAD);
    }

    @Test
    void decodeChecksTheLengthOfUncompressedData() {
        BlobCodec.Encoded encoded = codec.encode(TestBytes.random(3, 100));

        assertFails(() -> codec.decode(encoded.sealed(), 0, encoded.sealed().length, false, 101, "blob 'b'"),
                ErrorCode.INTEGRITY).hasMessage("blob 'b' has 100 bytes, expected 101");
    }

    @Test
    void decodeChecksTheLengthOfDecompressedData() {
        BlobCodec.Encoded encoded = codec.encode(new byte[10_000]);
        byte[] sealed = encoded.sealed();

        assertFails(() -> codec.decode(sealed, 0, sealed.length, true, 10_001, "blob 'b'"), ErrorCode.INTEGRITY)
                .hasMessage("blob 'b' decompressed to 10000 bytes, expected 10001");
        assertFails(() -> codec.decode(sealed, 0, sealed.length, true, 9_999, "blob 'b'"), ErrorCode.INTEGRITY)
                .hasMessageStartingWith("blob 'b' does not decompress: ");
    }

    @Test
    void decodeOfDataThatIsNotZstdFailsWithIntegrity() {
        byte[] sealed = key.seal(TestBytes.random(4, 1000));

        assertFails(() -> codec.decode(sealed, 0, sealed.length, true, 1000, "blob 'b'"), ErrorCode.INTEGRITY)
                .hasMessageStartingWith("blob 'b' does not decompress: ");
    }

    @Test
    void decodeOfDamagedBytesFailsAuthentication() {
        byte[] sealed = codec.encode(new byte[10_000]).sealed();
        sealed[MasterKey.NONCE_BYTES + 1] ^= 1;

        assertFails(() -> codec.decode(sealed, 0, sealed.length, true, 10_000, "blob 'b'"), ErrorCode.INTEGRITY)
                .hasMessage("blob 'b' failed authentication (damaged or written with another key)");
    }

    @ParameterizedTest(name = "offset {0}, length {1}, raw {2}")
    @CsvSource({"-1, 100, 0", "0, 0, 0", "0, 100, -1"})
    void packEntryRejectsImpossibleValues(int offset, int length, int raw) {
        assertThatThrownBy(() -> new PackEntry(TestBytes.id(1), BlobType.DATA, false, offset, length, raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid pack entry " + offset + "+" + length + " raw " + raw);
    }

    @Test
    void blobTypeCodesAreStable() {
        assertThat(BlobType.ofCode(0)).isEqualTo(BlobType.DATA);
        assertThat(BlobType.ofCode(1)).isEqualTo(BlobType.TREE);
        assertThatThrownBy(() -> BlobType.ofCode(2)).hasMessage("unknown blob type 2");
    }

    private byte[] decode(BlobCodec.Encoded e) {
        return codec.decode(e.sealed(), 0, e.sealed().length, e.compressed(), e.rawLength(), "blob");
    }
}
