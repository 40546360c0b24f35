package dev.lifeboat.postgres;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A running PostgreSQL program: its stdout is for the caller to stream, its stderr is collected (bounded)
 * for the error message. When Lifeboat runs as root and the program is a server program, it runs as the
 * postgres user through runuser.
 */
public final class PgProcess implements AutoCloseable {
    private static final int STDERR_LIMIT = 64 * 1024;
    /** Where coreutils keeps the library behind {@code stdbuf} (Debian and Ubuntu, then Fedora and Arch). */
    private static final List<Path> STDBUF_LIBRARIES = List.of(Path.of("/usr/libexec/coreutils/libstdbuf.so"),
            Path.of("/usr/lib/coreutils/libstdbuf.so"), Path.of("/usr/lib64/coreutils/libstdbuf.so"));
    private static final int STREAM_BUFFER = 1 << 20;
    private final Process process;
    private final String display;
    private final Thread stderrPump;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private PgProcess(Process process, String display) {
        this.process = process;
        this.display = display;
        this.stderrPump = Thread.ofPlatform().daemon().name("pg-stderr").start(this::pumpStderr);
    }

    /**
     * Starts a program.
     *
     * @param asPostgres run through {@code runuser -u postgres --} when this process is root
     */
    public static PgProcess start(List<String> command, Map<String, String> env, Path workDir, boolean asPostgres) {
        List<String> cmd = new ArrayList<>();
        if (asPostgres && isRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        try {
            return new PgProcess(pb.start(), String.join(" ", command.subList(0, Math.min(2, command.size()))));
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.DATABASE, "cannot start '" + command.get(0) + "': " + e.getMessage(),
                    "check that the PostgreSQL programs are installed");
        }
    }

    /**
     * The environment with the program's standard output buffered in 1 MiB instead of the 4 KiB that stdio
     * gives a pipe, the way {@code stdbuf -o 1M} does it: pg_dump writes its archive to stdout through stdio, and
     * 4 KiB writes cost it and the reading end a system call each (a quarter of a million per GB). Unchanged
     * when coreutils' library is not there; a library the loader cannot use is skipped with a warning on stderr.
     */
    public static Map<String, String> withLargeStdoutBuffer(Map<String, String> env) {
        for (Path library : STDBUF_LIBRARIES) {
            if (Files.isRegularFile(library)) {
                Map<String, String> out = new HashMap<>(env);
                String preload = env.getOrDefault("LD_PRELOAD", System.getenv("LD_PRELOAD"));
                out.put("LD_PRELOAD", preload == null || preload.isBlank() ? library.toString()
                        : library + " " + preload);
                out.put("_STDBUF_O", Integer.toString(STREAM_BUFFER));
                return out;
            }
        }
        return env;
    }

    /** Runs a program to completion, returning its stdout; fails with its stderr when the exit status is not 0. */
    public static String run(List<String> command, Map<String, String> env, boolean asPostgres) {
        try (PgProcess p = start(command, env, null, asPostgres)) {
            p.stdin().close();
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
            p.waitSuccess();
            return out;
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.DATABASE, "'" + command.get(0) + "' failed: " + e.getMessage(), null);
        }
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public InputStream stdout() {
        return process.getInputStream();
    }

    public OutputStream stdin() {
        return process.getOutputStream();
    }

    private void pumpStderr() {
        byte[] buf = new byte[8192];
        try (InputStream in = process.getErrorStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (stderr) {
                    if (stderr.size() < STDERR_LIMIT) {
                        stderr.write(buf, 0, Math.min(n, STDERR_LIMIT - stderr.size()));
                    }
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** What the program wrote on stderr so far. */
    public String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits for the program and fails with its first error line when its exit status is not 0. */
    public void waitSuccess() {
        int code;
        try {
            code = process.waitFor();
            stderrPump.join(5000);
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted while '" + display + "' ran");
        }
        if (code != 0) {
            String err = stderr().strip();
            // the loader's warning about a library it could not preload (see withLargeStdoutBuffer) is not why the
            // program failed
            List<String> lines = err.lines().filter(l -> !l.startsWith("ERROR: ld.so:")).toList();
            String first = lines.stream().filter(l -> l.contains("error") || l.contains("FATAL") || l.contains("ERROR"))
                    .findFirst().orElse(lines.isEmpty() ? "no message" : lines.get(0));
            throw new LifeboatException(ErrorCode.DATABASE, "'" + display + "' failed (exit status " + code + "): "
                    + first.strip(), "the full message of the program: " + err.replace('\n', ' ').strip());
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
        }
    }
}
