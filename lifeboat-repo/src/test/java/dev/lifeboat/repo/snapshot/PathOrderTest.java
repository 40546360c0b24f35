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

    @Test
    void agreesWithComparingEachComponentAsAStringOnRandomPaths() {
        String[] alphabet = {"a", "b", "B", "/", ".", "-", "\u00e4", "\ud83d\ude00", "\uff21"};
        Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            String x = randomPath(random, alphabet);
            String y = round % 5 == 0 ? x + randomPath(random, alphabet) : randomPath(random, alphabet);
            assertThat(Integer.signum(PathOrder.INSTANCE.compare(x, y)))
                    .as("'%s' against '%s'", x, y).isEqualTo(Integer.signum(byComponents(x, y)));
        }
    }

    private static String randomPath(Random random, String[] alphabet) {
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(8); i > 0; i--) {
            sb.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }

    /** The definition: components compared as strings, a path before the paths under it. */
    private static int byComponents(String x, String y) {
        String[] xs = x.split("/", -1);
        String[] ys = y.split("/", -1);
        for (int i = 0; i < Math.min(xs.length, ys.length); i++) {
            int c = xs[i].compareTo(ys[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(xs.length, ys.length);
    }
}
