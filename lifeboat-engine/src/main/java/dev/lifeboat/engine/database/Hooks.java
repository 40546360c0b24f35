package dev.lifeboat.engine.database;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs a configured hook command (stop the application, run migrations, start it) through sh -c. */
public final class Hooks {
    private Hooks() {
    }

    /**
     * Runs the command, passing its output through; fails when its exit status is not 0.
     *
     * @return the command's combined output
     */
    public static String run(String name, String command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            if (code != 0) {
                throw new LifeboatException(ErrorCode.FAILURE, name + " hook failed (exit status " + code + "): "
                        + out.strip().lines().reduce((a, b) -> b).orElse("no output"),
                        "fix the command '" + command + "' in lifeboat.yml");
            }
            return out;
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, name + " hook could not start: " + e.getMessage(),
                    "check the command '" + command + "'");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted during the " + name + " hook");
        }
    }
}
