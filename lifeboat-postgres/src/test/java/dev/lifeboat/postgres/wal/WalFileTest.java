package dev.lifeboat.postgres.wal;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalFileTest {
    private static final long SYSID = 7_312_345_678_901_234_567L;
    private static final String NAME = "000000020000000100000003";

    @ParameterizedTest(name = "{0} is a {1}")
    @CsvSource({"000000010000000000000003, SEGMENT", "000000010000000000000003.partial, PARTIAL",
            "00000002.history, HISTORY", "000000010000000000000003.00000028.backup, BACKUP"})
    void filesAreKnownByTheirNames(String name, WalFile.Kind kind) {
        assertThat(WalFile.of(name).kind()).isEqualTo(kind);
    }

    @Test
    void anUnknownNameIsRefused() {
        assertThatThrownBy(() -> WalFile.of("RECOVERYXLOG")).isInstanceOfSatisfying(LifeboatException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
            assertThat(e.getMessage()).isEqualTo("'RECOVERYXLOG' is not the name of a WAL file");
        });
    }

    @Test
    void aSegmentNamesTheClusterItsHeaderNames() {
        assertThat(WalFile.of(NAME).check(TestWal.segment(SYSID, NAME))).isEqualTo(Long.toUnsignedString(SYSID));
        assertThat(WalFile.of(NAME + ".partial").check(TestWal.segment(SYSID, NAME)))
                .isEqualTo(Long.toUnsignedString(SYSID));
    }

    @Test
    void theFirstSegmentOfANewTimelineMayStartWithPagesOfTheOldOne() {
        byte[] copy = TestWal.segment(SYSID, 1, WalSegmentName.parse(NAME, TestWal.SEGMENT_SIZE).start().value(),
                TestWal.SEGMENT_SIZE, 1);

        assertThat(WalFile.of(NAME).check(copy)).isEqualTo(Long.toUnsignedString(SYSID));
    }

    @Test
    void aSegmentUnderAnotherNameIsRefused() {
        byte[] other = TestWal.segment(SYSID, "000000020000000100000004");

        assertThatThrownBy(() -> WalFile.of(NAME).check(other)).isInstanceOfSatisfying(LifeboatException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
            assertThat(e.getMessage()).isEqualTo("WAL file '" + NAME + "' starts with the page of 1/4000000, not of 1/3000000");
        });
    }

    @Test
    void aTruncatedSegmentIsRefused() {
        byte[] half = Arrays.copyOf(TestWal.segment(SYSID, NAME), 5 << 20);

        assertThatThrownBy(() -> WalFile.of(NAME).check(half)).hasMessage("WAL file '" + NAME + "' is 5242880 bytes "
                + "long, not a WAL segment size (a power of two from 1 MiB to 1 GiB)");
    }

    @Test
    void aSegmentOfALaterTimelineThanItsNameIsRefused() {
        byte[] later = TestWal.segment(SYSID, 3, WalSegmentName.parse(NAME, TestWal.SEGMENT_SIZE).start().value(),
                TestWal.SEGMENT_SIZE, 1);

        assertThatThrownBy(() -> WalFile.of(NAME).check(later))
                .hasMessage("WAL file '" + NAME + "' starts with a page of timeline 3, after its own timeline 2");
    }

    @Test
    void aHistoryFileMustReadAsTheHistoryOfItsTimeline() {
        byte[] good = "1\t0/3000158\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8);

        assertThat(WalFile.of("00000002.history").check(good)).isNull();
        assertThatThrownBy(() -> WalFile.of("00000002.history").check("hello".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("WAL file '00000002.history' is not a timeline history file: line 1");
    }
}
