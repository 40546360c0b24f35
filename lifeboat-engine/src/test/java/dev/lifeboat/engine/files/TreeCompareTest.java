package dev.lifeboat.engine.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** TreeCompare is the oracle of every restore test, so it must see each kind of difference. */
class TreeCompareTest {
    @TempDir
    Path dir;

    interface Change {
        void apply(Path copy) throws IOException;
    }

    static Stream<Arguments> changes() {
        return Stream.<Arguments>of(
                arguments("one byte of content, same size and mtime", (Change) c -> {
                    Path readme = c.resolve("README.md");
                    FileTime mtime = Files.getLastModifiedTime(readme);
                    Files.writeString(readme, "hello lifeboaT\n");
                    Files.setLastModifiedTime(readme, mtime);
                }, "content differs: README.md"),
                arguments("a mode", (Change) c -> FileTrees.mode(c.resolve("bin/run.sh"), 0754),
                        "mode differs: bin/run.sh (755 vs 754)"),
                arguments("the setgid bit", (Change) c -> FileTrees.mode(c.resolve("shared"), 0755),
                        "mode differs: shared (2755 vs 755)"),
                arguments("an owner", (Change) c -> FileTrees.owner(c.resolve("owned/data.txt"), 0, 0),
                        "owner differs: owned/data.txt"),
                arguments("one nanosecond of an mtime", (Change) c -> FileTrees.mtime(c.resolve("empty.txt"),
                        Files.getLastModifiedTime(c.resolve("empty.txt")).toInstant().plusNanos(1)),
                        "mtime differs: empty.txt ("),
                arguments("a symlink target", (Change) c -> {
                    Path link = c.resolve("links/dangling");
                    Instant mtime = Files.getLastModifiedTime(link, LinkOption.NOFOLLOW_LINKS).toInstant();
                    Files.delete(link);
                    FileTrees.symlink(link, "does/not/exist/either");
                    FileTrees.mtime(link, mtime);
                }, "symlink target differs: links/dangling"),
                arguments("a missing empty directory", (Change) c -> Files.delete(c.resolve("empty")),
                        "missing: empty"),
                arguments("an extra file", (Change) c -> FileTrees.file(c.resolve("extra.txt"), "", 0644),
                        "unexpected: extra.txt"),
                arguments("a file turned into a directory", (Change) c -> {
                    Files.delete(c.resolve("empty.txt"));
                    Files.createDirectory(c.resolve("empty.txt"));
                }, "type differs: empty.txt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void everyDifferenceIsReported(String what, Change change, String expected) throws Exception {
        Path original = dir.resolve("original");
        Path copy = dir.resolve("copy");
        FileTrees.createEverything(original);
        Process cp = new ProcessBuilder("cp", "-a", original.toString(), copy.toString()).inheritIO().start();
        assertThat(cp.waitFor()).isZero();
        assertThat(TreeCompare.differences(original, copy, true)).isEmpty();

        change.apply(copy);

        assertThat(TreeCompare.differences(original, copy, true))
                .satisfiesExactly(difference -> assertThat(difference).startsWith(expected));
    }

    @Test
    void ownersAreIgnoredWhenNotCompared() throws Exception {
        Path original = dir.resolve("original");
        Path copy = dir.resolve("copy");
        FileTrees.file(original.resolve("a.txt"), "a\n", 0644);
        FileTrees.file(copy.resolve("a.txt"), "a\n", 0644);
        FileTrees.mtime(copy.resolve("a.txt"), Files.getLastModifiedTime(original.resolve("a.txt")).toInstant());
        FileTrees.owner(copy.resolve("a.txt"), FileTrees.OTHER_UID, FileTrees.OTHER_GID);

        assertThat(TreeCompare.differences(original, copy, false)).isEmpty();
        assertThat(TreeCompare.differences(original, copy, true)).containsExactly("owner differs: a.txt");
    }
}
