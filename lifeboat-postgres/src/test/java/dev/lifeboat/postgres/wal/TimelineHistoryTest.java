package dev.lifeboat.postgres.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimelineHistoryTest {
    private static final long SEG = TestWal.SEGMENT_SIZE;
    /** What PostgreSQL 15 writes after two promotions: timeline 1 ended at 0/3000158, timeline 2 at 0/5000000. */
    private static final String THREE = """
            1\t0/3000158\tno recovery target specified

            # a comment
            2\t0/5000000\tat restore point "before upgrade"
            """;

    @Test
    void aHistoryFileListsEveryTimelineWithTheRangeItHolds() {
        TimelineHistory h = TimelineHistory.parse(3, THREE);

        assertThat(h.entries()).containsExactly(
                new TimelineHistory.Entry(1, Lsn.ZERO, Lsn.parse("0/3000158")),
                new TimelineHistory.Entry(2, Lsn.parse("0/3000158"), Lsn.parse("0/5000000")),
                new TimelineHistory.Entry(3, Lsn.parse("0/5000000"), null));
        assertThat(h.timelineAt(Lsn.parse("0/3000157"))).isEqualTo(1);
        assertThat(h.timelineAt(Lsn.parse("0/3000158"))).isEqualTo(2);
        assertThat(h.timelineAt(Lsn.parse("7/0"))).isEqualTo(3);
        assertThat(h.next(1)).isEqualTo(2);
        assertThat(h.contains(2)).isTrue();
        assertThat(h.contains(4)).isFalse();
    }

    @ParameterizedTest(name = "segment {0} is read from timeline {1}")
    @CsvSource({"2, 1", "3, 2", "4, 2", "5, 3", "9, 3"})
    void aSegmentIsReadFromTheNewestTimelineThatBeginsInOrBeforeIt(long segment, int timeline) {
        assertThat(TimelineHistory.parse(3, THREE).timelineOfSegment(segment, SEG)).isEqualTo(timeline);
    }

    @Test
    void timelinesNeedNotBeConsecutive() {
        TimelineHistory h = TimelineHistory.parse(4, "1\t0/3000158\tx\n");

        assertThat(h.entries().stream().map(TimelineHistory.Entry::timeline).toList()).isEqualTo(List.of(1, 4));
    }

    @Test
    void historyFileNamesCarryTheTimelineInHex() {
        assertThat(TimelineHistory.fileName(26)).isEqualTo("0000001A.history");
        assertThat(TimelineHistory.timelineOf("0000001A.history")).isEqualTo(26);
        assertThat(TimelineHistory.timelineOf("000000010000000000000001")).isEqualTo(-1);
        assertThat(TimelineHistory.first().entries()).containsExactly(new TimelineHistory.Entry(1, Lsn.ZERO, null));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "garbage|line 1 of the history of timeline 3 is not '<timeline> <switch point> <reason>': 'garbage'",
            "2\t0/1\tx\\n1\t0/2\tx|line 2 of the history of timeline 3 names timeline 1 out of order",
            "3\t0/1\tx|line 1 of the history of timeline 3 names timeline 3 out of order",
            "1\t0/5\tx\\n2\t0/4\tx|line 2 of the history of timeline 3 has switch point 0/4 before the previous one 0/5",
            "# only a comment|the history of timeline 3 names no parent timeline"})
    void aDamagedHistoryFileIsRefusedNamingTheLine(String content, String message) {
        assertThatThrownBy(() -> TimelineHistory.parse(3, content.replace("\\n", "\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
