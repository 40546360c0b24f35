package dev.lifeboat.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The process environment a command runs in: streams, environment variables and whether a terminal is
 * attached. Tests run commands in-process with their own. {@code resident} is set when a resident process
 * runs the command for a client (see {@link ResidentServer}): it has no terminal of its own to prompt on.
 */
public record Cli(PrintStream out, PrintStream err, Map<String, String> env, InputStream in, boolean terminal,
        boolean resident) {
    public Cli(PrintStream out, PrintStream err, Map<String, String> env, InputStream in, boolean terminal) {
        this(out, err, env, in, terminal, false);
    }

    public static Cli system() {
        return new Cli(System.out, System.err, System.getenv(), System.in, systemTerminal());
    }

    /** Whether this process's console is a terminal that can show a progress bar. */
    static boolean systemTerminal() {
        return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    }
}
