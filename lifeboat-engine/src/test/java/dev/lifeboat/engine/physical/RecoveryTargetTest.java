package dev.lifeboat.engine.physical;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Recovery targets: the time forms users paste from psql and the settings written for PostgreSQL. */
class RecoveryTargetTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2026-11-20 10:30:00+00            | 2026-11-20T10:30:00Z",
        "2026-11-20 10:30:00.8+00          | 2026-11-20T10:30:00.800Z",
        "2026-11-22 02:01:32.82577+00      | 2026-11-22T02:01:32.825770Z",
        "2026-11-22 02:01:32.825770+00     | 2026-11-22T02:01:32.825770Z",
        "2026-11-22 02:01:32.825770+05:30  | 2026-11-21T20:31:32.825770Z",
        "2026-11-20T10:30:00Z              | 2026-11-20T10:30:00Z",
        "2026-11-20T10:30:00.123456789+01:00 | 2026-11-20T09:30:00.123456789Z"})
    void timesInPostgresAndIsoFormsAreAccepted(String text, String expected) {
        assertThat(RecoveryTarget.time(text)).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-20 10:30:00", "yesterday", "2026-13-01 00:00:00+00", ""})
    void timesWithoutAnOffsetOrMalformedAreRefused(String text) {
        assertThatThrownBy(() -> RecoveryTarget.time(text))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.getMessage()).isEqualTo("invalid --time '" + text + "'");
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "TIME   | 2026-11-20 10:30:00.5+00 | recovery_target_time = '2026-11-20 10:30:00.500000+00:00'",
        "LSN    | 16/3002D50               | recovery_target_lsn = '16/3002D50'",
        "XID    | 1234                     | recovery_target_xid = '1234'",
        "NAME   | before-migration         | recovery_target_name = 'before-migration'"})
    void settingsNameTheTargetAndClearTheOthers(RecoveryTarget.Kind kind, String value, String line) {
        String settings = new RecoveryTarget(kind, value, "latest").settings();
        assertThat(settings).contains(line + "\n", "recovery_target_action = 'promote'\n",
                "recovery_target_timeline = 'latest'\n", "recovery_target = ''\n");
        assertThat(settings.lines().filter(l -> l.startsWith("recovery_target_") && !l.endsWith("''")
                && !l.startsWith("recovery_target_action") && !l.startsWith("recovery_target_timeline")
                && !l.startsWith("recovery_target_inclusive"))).hasSize(1);
    }
}
