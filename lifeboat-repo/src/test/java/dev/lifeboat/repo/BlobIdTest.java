package dev.lifeboat.repo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlobIdTest {
    private static final String HEX = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210";

    @Test
    void hexRoundTrips() {
        BlobId id = BlobId.parse(HEX);

        assertThat(id.hex()).isEqualTo(HEX);
        assertThat(id.toString()).isEqualTo(HEX);
        assertThat(id.shortHex()).isEqualTo("00112233");
        assertThat(BlobId.parse(HEX.toUpperCase())).isEqualTo(id);
    }

    @Test
    void bytesRoundTripAtAnyOffset() {
        byte[] bytes = TestBytes.random(1, 40);

        BlobId id = BlobId.of(bytes, 5);
        byte[] out = new byte[40];
        id.writeTo(out, 3);

        assertThat(BlobId.of(id.bytes())).isEqualTo(id);
        assertThat(BlobId.of(out, 3)).isEqualTo(id);
    }

    @ParameterizedTest(name = "''{0}''")
    @NullAndEmptySource
    @ValueSource(strings = {"abc", HEX + "0", "g0112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210",
            "00112233 45566778899aabbccddeeff0123456789abcdeffedcba9876543210"})
    void parseRejectsAnythingButSixtyFourHexCharacters(String hex) {
        assertThatThrownBy(() -> BlobId.parse(hex))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an id is 64 hexadecimal characters, got '" + hex + "'");
    }

    @Test
    void ofRejectsTooFewBytes() {
        assertThatThrownBy(() -> BlobId.of(new byte[40], 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an id needs 32 bytes, got 31");
    }

    @Test
    void orderIsTheOrderOfTheHexStrings() {
        List<BlobId> ids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ids.add(TestBytes.id(i));
        }
        ids.add(BlobId.parse("ff".repeat(32)));
        ids.add(BlobId.parse("00".repeat(32)));
        ids.add(BlobId.parse("80".repeat(32)));

        List<String> byId = ids.stream().sorted().map(BlobId::hex).toList();

        assertThat(byId).isSorted();
    }
}
