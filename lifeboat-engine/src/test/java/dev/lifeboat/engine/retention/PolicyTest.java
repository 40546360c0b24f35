package dev.lifeboat.engine.retention;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyTest {
    @ParameterizedTest(name = "{0} from {1} in {2} is {3}")
    @CsvSource({
            "6h, 2026-11-22T12:00:00Z, UTC, 2026-11-22T06:00:00Z",
            "1d, 2026-03-29T12:00:00Z, Europe/Berlin, 2026-03-28T13:00:00Z",
            "1d, 2026-10-25T12:00:00Z, Europe/Berlin, 2026-10-24T11:00:00Z",
            "2w, 2027-01-05T00:00:00Z, UTC, 2026-12-22T00:00:00Z",
            "1m, 2027-03-31T12:00:00Z, UTC, 2027-02-28T12:00:00Z",
            "1m, 2028-03-31T12:00:00Z, UTC, 2028-02-29T12:00:00Z",
            "1y, 2028-02-29T00:00:00Z, UTC, 2027-02-28T00:00:00Z",
            "30d, 2026-12-01T00:00:00Z, UTC, 2026-11-01T00:00:00Z"})
    void keepWithinCutoffsFollowTheCalendar(String text, String now, String zone, String cutoff) {
        assertThat(KeepWithin.parse("keep-within", text).cutoff(Instant.parse(now), ZoneId.of(zone)))
                .isEqualTo(Instant.parse(cutoff));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "30| --keep-within must be a positive number with a unit: h (hours), d (days), w (weeks), m (months) or y (years), for example 30d; got '30'",
            "0d| --keep-within must be a positive number with a unit: h (hours), d (days), w (weeks), m (months) or y (years), for example 30d; got '0d'",
            "-3d| --keep-within must be a positive number with a unit: h (hours), d (days), w (weeks), m (months) or y (years), for example 30d; got '-3d'",
            "3s| --keep-within must be a positive number with a unit: h (hours), d (days), w (weeks), m (months) or y (years), for example 30d; got '3s'"})
    void aDurationWithoutAValidUnitIsRefused(String text, String message) {
        assertThatThrownBy(() -> KeepWithin.parse("--keep-within", text)).hasMessage(message);
    }

    @Test
    void rulesParseAndPrint() {
        Policy p = Policy.parse("keep-last=2 keep-daily=7 keep-within=30d", "test");
        assertThat(p).isEqualTo(new Policy(2, 0, 7, 0, 0, 0, new KeepWithin(30, 'd')));
        assertThat(p.toString()).isEqualTo("keep-last=2 keep-daily=7 keep-within=30d");
        assertThat(Policy.NONE.toString()).isEqualTo("none");
        assertThat(p.overriddenBy(Policy.parse("keep-daily=1", "t")).daily()).isEqualTo(1);
    }

    @Test
    void badRulesAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> Policy.parse("keep-dayly=7", "retention.sources entry 'shop'"))
                .hasMessage("unknown retention rule 'keep-dayly' in retention.sources entry 'shop'; the rules are "
                        + "keep-last, keep-hourly, keep-daily, keep-weekly, keep-monthly, keep-yearly, keep-within");
        assertThatThrownBy(() -> Policy.parse("keep-daily=-1", "--keep-daily"))
                .hasMessage("--keep-daily must be 0 or more, got '-1'");
        assertThatThrownBy(() -> Policy.parse("keep-daily", "x"))
                .hasMessage("expected RULE=VALUE (for example keep-daily=7) in x, got 'keep-daily'");
        assertThatThrownBy(() -> Policy.parse("keep-last=many", "--keep-last"))
                .hasMessage("--keep-last must be a whole number, got 'many'");
    }
}
