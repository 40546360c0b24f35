package dev.lifeboat.repo.crypto;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.repo.TestBytes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyFileTest {
    private static final int MEMORY_KIB = 8192;
    private static final MasterKey MASTER = MasterKey.random();
    private static KeyFile keyFile;

    @BeforeAll
    static void createKeyFile() {
        keyFile = KeyFile.create(MASTER, "s3cret".toCharArray(), MEMORY_KIB, "db1", "postgres");
    }

    @Test
    void opensWithTheRightPasswordAfterARoundTripThroughBytes() {
        MasterKey opened = KeyFile.parse(keyFile.toBytes()).open("s3cret".toCharArray());

        assertThat(opened).isNotNull();
        byte[] plain = TestBytes.random(1, 100);
        assertThat(opened.blobId(plain, 0, 100)).isEqualTo(MASTER.blobId(plain, 0, 100));
        assertThat(opened.open(MASTER.seal(plain), "blob")).isEqualTo(plain);
    }

    @Test
    void returnsNullForAWrongPassword() {
        assertThat(keyFile.open("S3cret".toCharArray())).isNull();
        assertThat(keyFile.open(new char[0])).isNull();
    }

    @Test
    void acceptsPasswordsBeyondAscii() {
        KeyFile file = KeyFile.create(MASTER, "pässwört 🔑".toCharArray(), MEMORY_KIB, "h", "u");

        assertThat(file.open("pässwört 🔑".toCharArray())).isNotNull();
        assertThat(file.open("passwort 🔑".toCharArray())).isNull();
    }

    @Test
    void recordsWhoMadeItAndHowTheKeyIsDerived() {
        assertThat(keyFile.version()).isEqualTo(1);
        assertThat(keyFile.host()).isEqualTo("db1");
        assertThat(keyFile.username()).isEqualTo("postgres");
        assertThat(keyFile.created()).isNotNull();
        assertThat(keyFile.kdf().algorithm()).isEqualTo("argon2id");
        assertThat(keyFile.kdf().memoryKiB()).isEqualTo(MEMORY_KIB);
        assertThat(keyFile.kdf().salt()).hasSize(16);
    }

    @Test
    void storesNeitherThePasswordNorTheMasterKeyInTheClear() {
        String json = new String(keyFile.toBytes(), StandardCharsets.UTF_8);

        assertThat(json).doesNotContain("s3cret")
                .doesNotContain(Base64.getEncoder().encodeToString(MASTER.encryptionBytes()))
                .doesNotContain(Base64.getEncoder().encodeToString(MASTER.idBytes()));
    }

    @Test
    void twoKeyFilesOfOnePasswordUseDifferentSalts() {
        KeyFile other = KeyFile.create(MASTER, "s3cret".toCharArray(), MEMORY_KIB, "db1", "postgres");

        assertThat(other.kdf().salt()).isNotEqualTo(keyFile.kdf().salt());
        assertThat(other.open("s3cret".toCharArray())).isNotNull();
    }

    @Test
    void damagedSealedDataOpensToNothing() {
        byte[] data = keyFile.data().clone();
        data[data.length / 2] ^= 1;
        KeyFile damaged = new KeyFile(1, keyFile.created(), "db1", "postgres", keyFile.kdf(), data);

        assertThat(damaged.open("s3cret".toCharArray())).isNull();
    }

    @Test
    void parseOfGarbageFailsWithIntegrity() {
        assertFails(() -> KeyFile.parse("not json".getBytes(StandardCharsets.UTF_8)), ErrorCode.INTEGRITY)
                .hasMessageStartingWith("key file is malformed: ");
    }

    @Test
    void parseOfAnotherVersionFailsWithIntegrity() {
        String json = new String(keyFile.toBytes(), StandardCharsets.UTF_8).replace("\"version\":1", "\"version\":2");

        assertFails(() -> KeyFile.parse(json.getBytes(StandardCharsets.UTF_8)), ErrorCode.INTEGRITY)
                .hasMessageStartingWith("key file is malformed: ")
                .hasMessageContaining("unsupported key file version 2");
    }

    @Test
    void deriveIsAFunctionOfPasswordAndSalt() {
        KdfParams params = new KdfParams("argon2id", MEMORY_KIB, 1, 1, TestBytes.random(1, 16));
        KdfParams otherSalt = new KdfParams("argon2id", MEMORY_KIB, 1, 1, TestBytes.random(2, 16));

        byte[] derived = params.derive("pw".toCharArray());

        assertThat(derived).hasSize(32).isEqualTo(params.derive("pw".toCharArray()));
        assertThat(params.derive("pW".toCharArray())).isNotEqualTo(derived);
        assertThat(otherSalt.derive("pw".toCharArray())).isNotEqualTo(derived);
    }

    @Test
    void aProcessThatRemembersDerivedKeysDerivesEachOnceAndStillTellsPasswordsApart() {
        KdfParams params = new KdfParams("argon2id", MEMORY_KIB, 1, 1, TestBytes.random(3, 16));
        KdfParams otherSalt = new KdfParams("argon2id", MEMORY_KIB, 1, 1, TestBytes.random(4, 16));
        byte[] expected = params.derive("pw".toCharArray());
        KdfParams.rememberDerivedKeys();
        try {
            int before = KdfParams.derivations();
            byte[] first = params.derive("pw".toCharArray());
            first[0] ^= 1; // a caller that changes its copy does not change the remembered key
            assertThat(params.derive("pw".toCharArray())).isEqualTo(expected);
            assertThat(KdfParams.derivations()).isEqualTo(before + 1);

            assertThat(params.derive("pW".toCharArray())).isNotEqualTo(expected);
            assertThat(otherSalt.derive("pw".toCharArray())).isNotEqualTo(expected);
            assertThat(KdfParams.derivations()).isEqualTo(before + 3);
            KeyFile file = KeyFile.create(MasterKey.random(), "pw".toCharArray(), MEMORY_KIB, "host", "user");
            assertThat(file.open("wrong".toCharArray())).isNull();
            assertThat(file.open("pw".toCharArray())).isNotNull();
            assertThat(file.open("wrong".toCharArray())).isNull();
        } finally {
            KdfParams.forgetDerivedKeys();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            scrypt   | 8192    | 3   | 2  | 16 | unsupported key derivation 'scrypt'
            argon2i  | 8192    | 3   | 2  | 16 | unsupported key derivation 'argon2i'
            argon2id | 8191    | 3   | 2  | 16 | argon2id memory must be between 8 MiB and 4 GiB, got 8191 KiB
            argon2id | 4194305 | 3   | 2  | 16 | argon2id memory must be between 8 MiB and 4 GiB, got 4194305 KiB
            argon2id | 8192    | 0   | 2  | 16 | argon2id iterations must be 1..100 and parallelism 1..64
            argon2id | 8192    | 101 | 2  | 16 | argon2id iterations must be 1..100 and parallelism 1..64
            argon2id | 8192    | 3   | 0  | 16 | argon2id iterations must be 1..100 and parallelism 1..64
            argon2id | 8192    | 3   | 65 | 16 | argon2id iterations must be 1..100 and parallelism 1..64
            argon2id | 8192    | 3   | 2  | 15 | argon2id salt must be at least 16 bytes
            """)
    void kdfParamsRejectWeakOrUnknownSettings(String algorithm, int memoryKiB, int iterations, int parallelism,
                                              int saltBytes, String message) {
        assertThatThrownBy(() -> new KdfParams(algorithm, memoryKiB, iterations, parallelism, new byte[saltBytes]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void kdfParamsRejectAMissingSalt() {
        assertThatThrownBy(() -> new KdfParams("argon2id", 8192, 3, 2, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("argon2id salt must be at least 16 bytes");
    }

    @Test
    void kdfParamsAcceptTheBoundaries() {
        new KdfParams("argon2id", 8 * 1024, 1, 1, new byte[16]);
        new KdfParams("argon2id", 4 * 1024 * 1024, 100, 64, new byte[64]);

        assertThat(KdfParams.fresh(KdfParams.DEFAULT_MEMORY_KIB).memoryKiB()).isEqualTo(19 * 1024);
    }

    @Test
    void freshParametersTradeMemoryForPassesAsOwaspRecommends() {
        assertThat(KdfParams.fresh(64 * 1024).iterations()).isEqualTo(1);
        assertThat(KdfParams.fresh(46 * 1024).iterations()).isEqualTo(1);
        assertThat(KdfParams.fresh(19 * 1024).iterations()).isEqualTo(2);
        assertThat(KdfParams.fresh(8 * 1024).iterations()).isEqualTo(3);
    }
}
