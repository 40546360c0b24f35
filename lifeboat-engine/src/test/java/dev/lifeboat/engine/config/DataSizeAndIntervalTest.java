package dev.lifeboat.engine.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataSizeAndIntervalTest {
    @ParameterizedTest(name = "{0} is {1} bytes, written {2}")
    @CsvSource({"1GB, 1073741824, 1GB", "1GiB, 1073741824, 1GB", "512MB, 536870912, 512MB", "1536MB, 1610612736, 1536MB",
            "2kB, 2048, 2kB", "100, 100, 100B", "0, 0, 0B", "3 TB, 3298534883328, 3TB"})
    void sizesAreWrittenAsPostgresWritesThem(String text, long bytes, String written) {
        DataSize size = DataSize.parse("wal.max-slot-retained", text);

        assertThat(size.bytes()).isEqualTo(bytes);
        assertThat(size).hasToString(written);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1.5GB", "-1", "GB", "1 PB"})
    void aSizeThatIsNotANumberWithAUnitIsRefused(String text) {
        assertThatThrownBy(() -> DataSize.parse("wal.max-slot-retained", text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("wal.max-slot-retained must be a size like 512MB or 1GB, got '" + text + "'");
    }

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource({"500ms, 500, 500ms", "2s, 2000, 2s", "1000ms, 1000, 1s", "5m, 300000, 5m", "1h, 3600000, 1h"})
    void intervalsTakeOneUnit(String text, long millis, String written) {
        Interval i = Interval.parse("wal.partial-interval", text);

        assertThat(i.value()).isEqualTo(Duration.ofMillis(millis));
        assertThat(i).hasToString(written);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"0s", "1d", "ms", "1.5s", ""})
    void anIntervalThatIsNotPositiveOrHasNoUnitIsRefused(String text) {
        assertThatThrownBy(() -> Interval.parse("wal.partial-interval", text))
                .hasMessage("wal.partial-interval must be a positive duration like 500ms, 2s or 5m, got '" + text + "'");
    }
}
