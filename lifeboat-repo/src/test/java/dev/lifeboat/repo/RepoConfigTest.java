package dev.lifeboat.repo;

import dev.lifeboat.repo.chunker.ChunkerParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RepoConfigTest {

    @ParameterizedTest(name = "version {0}, level {1}, packs of {2}")
    @CsvSource(delimiter = '|', textBlock = """
            2 | 3  | 16777216  | repository format version 2 is not supported (this Lifeboat reads version 1)
            0 | 3  | 16777216  | repository format version 0 is not supported (this Lifeboat reads version 1)
            1 | -1 | 16777216  | compression level must be 0 (off) to 19, got -1
            1 | 20 | 16777216  | compression level must be 0 (off) to 19, got 20
            1 | 3  | 1048575   | pack size must be between 1 MiB and 512 MiB, got 1048575
            1 | 3  | 536870913 | pack size must be between 1 MiB and 512 MiB, got 536870913
            """)
    void rejectsSettingsItCannotHonour(int version, int level, int packSize, String message) {
        assertThatThrownBy(() -> new RepoConfig(version, "id", Instant.EPOCH, ChunkerParams.defaults(1), level,
                packSize))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void freshConfigHasTheDocumentedDefaults() {
        RepoConfig config = RepoConfig.fresh();

        assertThat(config.version()).isEqualTo(1);
        assertThat(config.compressionLevel()).isEqualTo(3);
        assertThat(config.packSize()).isEqualTo(16 * 1024 * 1024);
        assertThat(config.chunker()).isEqualTo(ChunkerParams.defaults(config.chunker().seed()));
        assertThat(RepoConfig.fresh().id()).isNotEqualTo(config.id());
        assertThat(RepoConfig.fresh().chunker().seed()).isNotEqualTo(config.chunker().seed());
    }

    @Test
    void configRoundTripsThroughJson() {
        RepoConfig config = RepoConfig.fresh();

        assertThat(Json.read(Json.bytes(config), RepoConfig.class, "config")).isEqualTo(config);
    }
}
