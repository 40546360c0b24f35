package dev.lifeboat.engine.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DirectoryReaderTest {
    @TempDir
    Path tmp;

    /** A tree of {@code width} directories per level, {@code depth} levels, with two files in each. */
    private List<Path> tree(Path root, int width, int depth) throws IOException {
        List<Path> dirs = new ArrayList<>();
        dirs.add(Files.createDirectories(root));
        List<Path> level = List.of(root);
        for (int d = 0; d < depth; d++) {
            List<Path> next = new ArrayList<>();
            for (Path parent : level) {
                Files.writeString(parent.resolve("b.txt"), "b");
                Files.writeString(parent.resolve("a.txt"), "a" + parent);
                for (int i = 0; i < width; i++) {
                    next.add(Files.createDirectories(parent.resolve("d" + i)));
                }
            }
            dirs.addAll(next);
            level = next;
        }
        return dirs;
    }

    private static String describe(DirectoryReader.Listing listing) {
        if (listing.children() == null) {
            return "error: " + listing.warning();
        }
        StringBuilder b = new StringBuilder();
        for (DirectoryReader.Child c : listing.children()) {
            b.append(c.path()).append(' ').append(c.node()).append(' ').append(c.warning()).append('\n');
        }
        return b.toString();
    }

    @Test
    void listingsReadAheadAreTheListingsReadInPlace() throws IOException {
        // more directories than may wait read ahead, so some are read ahead and some in place
        List<Path> dirs = tree(tmp.resolve("src"), 5, 3);
        assertThat(dirs.size()).isGreaterThan(DirectoryReader.MAX_DIRS);
        List<String> expected = new ArrayList<>();
        for (Path d : dirs) {
            expected.add(describe(DirectoryReader.read(d)));
        }
        List<String> actual = new ArrayList<>();
        try (DirectoryReader reader = new DirectoryReader()) {
            for (Path d : dirs) {
                reader.ahead(d, DirectoryReader.nodePath(d));
            }
            for (Path d : dirs) {
                actual.add(describe(reader.take(d)));
            }
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(expected.get(0)).contains("a.txt").contains("b.txt").contains("/d4 ");
        assertThat(expected.get(0).indexOf("a.txt")).isLessThan(expected.get(0).indexOf("b.txt"));
    }

    @Test
    void aDirectoryThatVanishedBeforeItWasReadIsAWarning() throws IOException {
        Path gone = Files.createDirectories(tmp.resolve("gone"));
        Files.delete(gone);
        try (DirectoryReader reader = new DirectoryReader()) {
            reader.ahead(gone, DirectoryReader.nodePath(gone));
            DirectoryReader.Listing listing = reader.take(gone);
            assertThat(listing.children()).isNull();
            assertThat(listing.warning()).isEqualTo("cannot list '" + gone + "': vanished during the backup");
        }
    }

    @Test
    void anEntryThatIsNeitherFileNorDirectoryNorSymlinkComesWithAWarning() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dev"));
        Path fifo = dir.resolve("queue");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        Files.writeString(dir.resolve("zz.txt"), "z");
        try (DirectoryReader reader = new DirectoryReader()) {
            reader.ahead(dir, DirectoryReader.nodePath(dir));
            List<DirectoryReader.Child> children = reader.take(dir).children();
            assertThat(children).hasSize(2);
            assertThat(children.get(0).node()).isNull();
            assertThat(children.get(0).warning())
                    .isEqualTo("skipped '" + fifo + "': not a regular file, directory or symlink");
            assertThat(children.get(1).node().path()).isEqualTo(DirectoryReader.nodePath(dir.resolve("zz.txt")));
        }
    }
}
