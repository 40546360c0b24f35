package dev.lifeboat.repo.snapshot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PathOrderTest {

    @ParameterizedTest(name = "''{0}'' {2} ''{1}''")
    @CsvSource(delimiter = '|', textBlock = """
            a         | a         | =
            a         | b         | <
            a         | a/b       | <
            a/b       | a/c       | <
            a/b       | a/b/c     | <
            a/z       | a.b       | <
            a/z       | a-b       | <
            a/z       | ab        | <
            a/b/c     | a/bc      | <
            a/b/zzz   | a/c       | <
            Z         | a         | <
            a/B       | a/a       | <
            ä         | z         | >
            a         | aa        | <
            dir/sub/x | dir/sub.x | <
            """)
    void comparesPathsComponentByComponent(String x, String y, String expected) {
        int sign = switch (expected) {
            case "<" -> -1;
            case "=" -> 0;
            default -> 1;
        };

        assertThat(Integer.signum(PathOrder.INSTANCE.compare(x, y))).isEqualTo(sign);
        assertThat(Integer.signum(PathOrder.INSTANCE.compare(y, x))).isEqualTo(-sign);
    }

    @Test
    void sortingGivesDepthFirstOrderWithChildrenSortedByName() {
        List<String> depthFirst = List.of("a", "a/b", "a/b/c", "a/b.txt", "a-1", "a-1/x", "a.txt", "b", "b/a", "b/a/a",
                "b/b", "ba");
        List<String> shuffled = new ArrayList<>(depthFirst);
        Collections.shuffle(shuffled, new Random(1));

        shuffled.sort(PathOrder.INSTANCE);

        assertThat(shuffled).containsExactlyElementsOf(depthFirst);
    }
}
