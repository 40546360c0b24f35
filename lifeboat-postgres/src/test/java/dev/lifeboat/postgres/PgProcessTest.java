package dev.lifeboat.postgres;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PgProcessTest {
    private static final Path LIBRARY = Path.of("/usr/libexec/coreutils/libstdbuf.so");

    @Test
    void theChildsStdoutGetsCoreutilsOneMebibyteBufferAndKeepsAPreloadItHad() {
        assumeTrue(Files.isRegularFile(LIBRARY), "coreutils' libstdbuf.so is where Debian keeps it");
        Map<String, String> env = PgProcess.withLargeStdoutBuffer(Map.of("PGHOST", "db"));
        assertThat(env).containsEntry("PGHOST", "db").containsEntry("_STDBUF_O", "1048576");
        assertThat(env.get("LD_PRELOAD")).startsWith(LIBRARY.toString());

        Map<String, String> kept = PgProcess.withLargeStdoutBuffer(Map.of("LD_PRELOAD", "/opt/x.so"));
        assertThat(kept).containsEntry("LD_PRELOAD", LIBRARY + " /opt/x.so");
    }

    @Test
    void aProgramRunWithTheBufferStillWritesAllItsOutput() throws Exception {
        assumeTrue(Files.isRegularFile(LIBRARY), "coreutils' libstdbuf.so is where Debian keeps it");
        // tr writes through stdio, which the preloaded library buffers
        try (PgProcess p = PgProcess.start(List.of("sh", "-c", "echo \"$_STDBUF_O\" | tr 0-9 a-j"),
                PgProcess.withLargeStdoutBuffer(Map.of()), null, false)) {
            p.stdin().close();
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            p.waitSuccess();
            assertThat(out).isEqualTo("baeifhg\n");
        }
    }

    @Test
    void aLoaderWarningIsNotTakenForTheProgramsError() {
        String script = "echo \"ERROR: ld.so: object '/x/libstdbuf.so' from LD_PRELOAD cannot be preloaded: ignored.\" >&2;"
                + " echo 'pg_dump: error: connection to server failed' >&2; exit 1";
        try (PgProcess p = PgProcess.start(List.of("sh", "-c", script), Map.of(), null, false)) {
            p.stdin().close();
            assertThatThrownBy(p::waitSuccess).hasMessageContaining("failed (exit status 1): "
                    + "pg_dump: error: connection to server failed");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
