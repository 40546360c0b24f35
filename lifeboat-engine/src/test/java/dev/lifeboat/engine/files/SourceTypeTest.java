package dev.lifeboat.engine.files;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourceTypeTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({"files, FILES", "config, CONFIG", "certificates, CERTIFICATES"})
    void labelParsesToItsTypeAndBack(String label, SourceType type) {
        assertThat(SourceType.parse(label)).isEqualTo(type);
        assertThat(type.label()).isEqualTo(label);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"FILES", "file", "postgres", "", " files"})
    void unknownTypeIsRefusedListingTheKnownOnes(String text) {
        assertThatThrownBy(() -> SourceType.parse(text))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.getMessage()).isEqualTo("unknown backup type '" + text + "'");
                    assertThat(e.hint()).isEqualTo("use one of: files, config, certificates, database");
                });
    }

    @Test
    void missingTypeIsRefusedLikeAnUnknownOne() {
        assertThatThrownBy(() -> SourceType.parse(null))
                .isInstanceOf(LifeboatException.class)
                .hasMessage("unknown backup type 'null'");
    }
}
