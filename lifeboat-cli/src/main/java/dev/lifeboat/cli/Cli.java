package dev.lifeboat.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The process environment a command runs in: streams, environment variables and whether a terminal is
 * attached. Tests run commands in-process with their own.
 */
public record Cli(PrintStream out, PrintStream err, Map<String, String> env, InputStream in, boolean terminal) {
    public static Cli system() {
        return new Cli(System.out, System.err, System.getenv(), System.in, System.console() != null
                && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM")));
    }
}
