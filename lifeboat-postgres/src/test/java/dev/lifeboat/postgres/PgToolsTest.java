package dev.lifeboat.postgres;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Client programs are found on PATH, in the configured folder and under /usr/lib/postgresql/N/bin (where
 * this machine has PostgreSQL 15), and the one chosen can serve the server; fake programs that print a
 * version stand in for other releases. PATH is limited to the test's folders so that /usr/bin's wrappers
 * do not take part.
 */
class PgToolsTest {
    private static final Path INSTALLED = Path.of("/usr/lib/postgresql/15/bin/pg_dump");

    @TempDir
    static Path dir;
    static Path empty;
    static Path old;
    static Path v16;
    static Path v17;
    static Path broken;
    /** The version the installed pg_dump 15 reports, read without PgTools, e.g. "15.18". */
    static String installed;

    @BeforeAll
    static void createFakePrograms() throws IOException, InterruptedException {
        empty = Files.createDirectories(dir.resolve("empty"));
        old = fake("old", "pg_dump", "echo 'pg_dump (PostgreSQL) 9.6.24'");
        v16 = fake("v16", "pg_dump", "echo 'pg_dump (PostgreSQL) 16.4 (Debian 16.4-1)'");
        v17 = fake("v17", "pg_dump", "echo 'pg_dump (PostgreSQL) 17'");
        broken = fake("broken", "pg_dump", "echo 'pg_dump (PostgreSQL) 18.1'; exit 1");
        fake("broken", "pg_restore", "echo 'not a version'");
        Files.writeString(dir.resolve("broken/pg_dumpall"), "#!/bin/sh\necho 'pg_dumpall (PostgreSQL) 18.1'\n");
        Process p = new ProcessBuilder(INSTALLED.toString(), "--version").redirectErrorStream(true).start();
        Matcher m = Pattern.compile("\\(PostgreSQL\\) (15\\.\\d+)").matcher(new String(p.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8));
        assertThat(p.waitFor()).isZero();
        assertThat(m.find()).as("the installed pg_dump prints its version").isTrue();
        installed = m.group(1);
    }

    /** A folder holding one executable shell script. */
    private static Path fake(String folder, String name, String body) throws IOException {
        Path d = Files.createDirectories(dir.resolve(folder));
        Path script = d.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return d;
    }

    private static PgTools tools(String configured, Path... path) {
        List<String> dirs = java.util.Arrays.stream(path).map(Path::toString).toList();
        return new PgTools(configured, Map.of("PATH", String.join(":", dirs)));
    }

    @Test
    void findsTheInstalledPgDump15() {
        PgTools.Tool tool = tools(null, empty).forServer("pg_dump", 15);

        assertThat(tool).isEqualTo(new PgTools.Tool("pg_dump", INSTALLED, 15, installed));
    }

    @Test
    void listsEveryCopyNewestFirstAndIgnoresProgramsThatFailOrPrintNoVersion() {
        PgTools tools = tools(broken.toString(), old, v17, v16);

        assertThat(tools.all("pg_dump")).containsExactly(
                new PgTools.Tool("pg_dump", v17.resolve("pg_dump"), 17, "17"),
                new PgTools.Tool("pg_dump", v16.resolve("pg_dump"), 16, "16.4"),
                new PgTools.Tool("pg_dump", INSTALLED, 15, installed),
                new PgTools.Tool("pg_dump", old.resolve("pg_dump"), 9, "9.6"));
        assertThat(tools.all("pg_restore")).extracting(PgTools.Tool::path)
                .containsExactly(INSTALLED.resolveSibling("pg_restore"));
        assertThat(tools.all("pg_dumpall")).extracting(PgTools.Tool::path)
                .as("a file that is not executable").containsExactly(INSTALLED.resolveSibling("pg_dumpall"));
    }

    @Test
    void listsAProgramReachedTwiceOnlyOnce() throws IOException {
        Path link = Files.createDirectories(dir.resolve("link"));
        Files.createSymbolicLink(link.resolve("pg_dump"), INSTALLED);
        try {
            assertThat(tools(null, link, empty).all("pg_dump")).containsExactly(
                    new PgTools.Tool("pg_dump", link.resolve("pg_dump"), 15, installed));
        } finally {
            Files.delete(link.resolve("pg_dump"));
        }
    }

    @ParameterizedTest(name = "a PostgreSQL {0} server gets pg_dump {1}")
    @CsvSource({"9, 9", "12, 15", "15, 15", "16, 16", "17, 17"})
    void choosesTheSameMajorElseTheOldestNewerOne(int server, int expected) {
        assertThat(tools(null, old, v16, v17).forServer("pg_dump", server).major()).isEqualTo(expected);
    }

    @Test
    void refusesWhenEveryCopyIsTooOldForTheServer() {
        assertThatThrownBy(() -> tools(null, old).forServer("pg_dump", 16))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DATABASE);
                    assertThat(e.getMessage()).isEqualTo("pg_dump 16 or newer is needed for a PostgreSQL 16 server; "
                            + "found only pg_dump " + installed + " (" + INSTALLED + "), pg_dump 9.6 ("
                            + old.resolve("pg_dump") + ")");
                    assertThat(e.hint()).isEqualTo("install postgresql-client-16 or newer, or set postgres.bin-dir to "
                            + "its bin folder");
                });
    }

    @Test
    void refusesWhenTheProgramIsNowhere() {
        // PostgreSQL 15 has no pg_combinebackup: it came with 17
        assertThatThrownBy(() -> tools(old.toString(), empty).forServer("pg_combinebackup", 17))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DATABASE);
                    assertThat(e.getMessage()).isEqualTo("pg_combinebackup not found on PATH or under "
                            + "/usr/lib/postgresql/*/bin");
                    assertThat(e.hint()).isEqualTo("install the PostgreSQL client programs (Debian: apt-get install "
                            + "postgresql-client-17), or set postgres.bin-dir");
                });
    }

    @Test
    void findsServerProgramsOfAnExactMajorOrSaysWhichThereAre() {
        PgTools tools = tools(null, empty);

        assertThat(tools.exact("pg_ctl", 15).path()).isEqualTo(INSTALLED.resolveSibling("pg_ctl"));
        assertThatThrownBy(() -> tools.exact("pg_ctl", 16)).isInstanceOfSatisfying(LifeboatException.class, e -> {
            assertThat(e.getMessage()).isEqualTo("pg_ctl of PostgreSQL 16 is not installed; found pg_ctl " + installed
                    + " (" + INSTALLED.resolveSibling("pg_ctl") + ")");
            assertThat(e.hint()).isEqualTo("install postgresql-16");
        });
    }

    @Test
    void newestPicksTheHighestMajor() {
        assertThat(tools(null, old, v16).newest("pg_dump").version()).isEqualTo("16.4");
    }
}
