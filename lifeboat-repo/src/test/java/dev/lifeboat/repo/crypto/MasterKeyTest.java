package dev.lifeboat.repo.crypto;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.TestBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.Arrays;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MasterKeyTest {
    private final MasterKey key = new MasterKey(TestBytes.random(1, 32), TestBytes.random(2, 32));

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 15, 16, 17, 1000, 1024 * 1024})
    void openReturnsWhatSealSealed(int size) {
        byte[] plain = TestBytes.random(size, size);

        byte[] sealed = key.seal(plain);

        assertThat(sealed).hasSize(size + MasterKey.OVERHEAD);
        assertThat(key.open(sealed, "blob")).isEqualTo(plain);
    }

    @Test
    void sealAndOpenRespectOffsetAndLength() {
        byte[] plain = TestBytes.random(3, 100);

        byte[] sealed = key.seal(plain, 10, 50);
        byte[] embedded = new byte[7 + sealed.length + 5];
        System.arraycopy(sealed, 0, embedded, 7, sealed.length);

        assertThat(key.open(embedded, 7, sealed.length, "blob")).isEqualTo(Arrays.copyOfRange(plain, 10, 60));
    }

    @Test
    void sealingInPlaceGivesWhatOpensToThePlaintextWithTheTagAfterIt() {
        for (int length : new int[] {0, 1, 15, 16, 17, 100_000}) {
            byte[] plain = TestBytes.random(length + 7, length);
            byte[] buffer = TestBytes.random(9, length + MasterKey.OVERHEAD + 10);
            System.arraycopy(plain, 0, buffer, MasterKey.NONCE_BYTES, length);
            int sealed = key.sealInPlace(buffer, length);
            assertThat(sealed).isEqualTo(length + MasterKey.OVERHEAD);
            assertThat(key.open(buffer, 0, sealed, "blob")).as("%d bytes", length).isEqualTo(plain);
            if (length > 16) {
                // encrypted over the plaintext, not left as it was
                assertThat(Arrays.copyOfRange(buffer, MasterKey.NONCE_BYTES, MasterKey.NONCE_BYTES + length))
                        .isNotEqualTo(plain);
            }
        }
    }

    @Test
    void sealingTheSameBytesTwiceGivesDifferentCiphertexts() {
        byte[] plain = TestBytes.random(4, 64);

        assertThat(key.seal(plain)).isNotEqualTo(key.seal(plain));
    }

    @Test
    void anyFlippedBitFailsWithIntegrity() {
        byte[] sealed = key.seal(TestBytes.random(5, 32));

        for (int i = 0; i < sealed.length; i++) {
            for (int bit = 0; bit < 8; bit += 7) {
                byte[] damaged = sealed.clone();
                damaged[i] ^= (byte) (1 << bit);
                assertThatThrownBy(() -> key.open(damaged, "blob 'x'"))
                        .as("bit %d of byte %d", bit, i)
                        .isInstanceOfSatisfying(LifeboatException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                            assertThat(e.hint()).isEqualTo(
                                    "run 'lifeboat check --read-data' to find every damaged object");
                        })
                        .hasMessage("blob 'x' failed authentication (damaged or written with another key)");
            }
        }
    }

    @Test
    void openWithAnotherKeyFailsWithIntegrity() {
        byte[] sealed = key.seal(TestBytes.random(6, 32));

        assertFails(() -> MasterKey.random().open(sealed, "config"), ErrorCode.INTEGRITY)
                .hasMessage("config failed authentication (damaged or written with another key)");
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, MasterKey.OVERHEAD - 1})
    void openOfBytesShorterThanTheOverheadSaysTheyAreTruncated(int size) {
        assertFails(() -> key.open(new byte[size], "index 'ab'"), ErrorCode.INTEGRITY)
                .hasMessage("index 'ab' is truncated (" + size + " bytes)");
    }

    @Test
    void truncatedCiphertextFailsWithIntegrity() {
        byte[] sealed = key.seal(TestBytes.random(7, 32));

        assertFails(() -> key.open(sealed, 0, sealed.length - 1, "blob"), ErrorCode.INTEGRITY);
    }

    @Test
    void blobIdIsTheHmacSha256OfThePlaintextUnderTheIdKey() throws Exception {
        byte[] plain = TestBytes.random(8, 1000);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TestBytes.random(2, 32), "HmacSHA256"));
        mac.update(plain, 100, 800);

        assertThat(key.blobId(plain, 100, 800)).isEqualTo(BlobId.of(mac.doFinal()));
    }

    @Test
    void blobIdDiffersAcrossIdKeys() {
        byte[] plain = TestBytes.random(9, 1000);

        assertThat(key.blobId(plain, 0, plain.length))
                .isNotEqualTo(MasterKey.random().blobId(plain, 0, plain.length));
    }

    @Test
    void blobIdDoesNotDependOnTheEncryptionKey() {
        byte[] plain = TestBytes.random(10, 1000);
        MasterKey sameIdKey = new MasterKey(TestBytes.random(11, 32), TestBytes.random(2, 32));

        assertThat(sameIdKey.blobId(plain, 0, plain.length)).isEqualTo(key.blobId(plain, 0, plain.length));
    }

    @Test
    void blobIdIsTheSameFromEveryThread() throws Exception {
        byte[] plain = TestBytes.random(12, 1000);
        BlobId[] fromOtherThread = new BlobId[1];
        Thread t = new Thread(() -> fromOtherThread[0] = key.blobId(plain, 0, plain.length));
        t.start();
        t.join();

        assertThat(fromOtherThread[0]).isEqualTo(key.blobId(plain, 0, plain.length));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 16, 31, 33, 64})
    void keyPartsMustBe32Bytes(int size) {
        assertThatThrownBy(() -> new MasterKey(new byte[size], new byte[32]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("master key parts must be 32 bytes each");
        assertThatThrownBy(() -> new MasterKey(new byte[32], new byte[size]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("master key parts must be 32 bytes each");
    }

    @Test
    void randomKeysDiffer() {
        byte[] plain = TestBytes.random(13, 10);

        assertThat(MasterKey.random().blobId(plain, 0, 10)).isNotEqualTo(MasterKey.random().blobId(plain, 0, 10));
    }
}
