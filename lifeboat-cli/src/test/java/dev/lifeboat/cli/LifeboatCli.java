package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs lifeboat commands in-process, as a user would from a shell without a terminal, and captures what
 * they print. The environment names the repository and password and keeps Argon2 cheap.
 */
final class LifeboatCli {
    static final String PASSWORD = "correct horse battery staple";

    /** The environment every command sees; tests may change it. */
    final Map<String, String> env = new HashMap<>();

    LifeboatCli(Path repo) {
        env.put("LIFEBOAT_REPO", repo.toString());
        env.put("LIFEBOAT_PASSWORD", PASSWORD);
        env.put("LIFEBOAT_KDF_MEMORY_MIB", "8");
    }

    /** What one command did: its exit status and everything it printed. */
    record Run(List<String> args, int exit, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }

        List<String> errLines() {
            return err.lines().toList();
        }

        JsonNode json() {
            try {
                return new ObjectMapper().readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + out, e);
            }
        }

        @Override
        public String toString() {
            return "lifeboat " + String.join(" ", args) + " -> " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int exit = Main.execute(new Cli(o, e, Map.copyOf(env), new ByteArrayInputStream(new byte[0]), false), args);
            return new Run(List.of(args), exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    /** Runs a command that must succeed. */
    Run ok(String... args) {
        Run r = run(args);
        assertThat(r.exit()).as("%s", r).isZero();
        return r;
    }
}
