package dev.lifeboat.cli;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.Channels;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * lifeboat resident start|stop|status: a warm process that runs this directory's data commands, so that
 * each skips the JVM start and JIT compilation (see {@link ResidentServer}).
 */
@Command(name = "resident", mixinStandardHelpOptions = true,
        description = {"Keep a warm Lifeboat process that runs the data commands (backup, restore, check, "
                + "snapshots, ...) started from this directory with this environment, so that they skip the "
                + "start-up and compilation a fresh process pays for every command.",
            "The launcher hands a command to it when one listens for the working directory, and runs the command "
                + "itself when the process declines it (another environment, a password prompt, another "
                + "command running). Set LIFEBOAT_RESIDENT=off to bypass it."})
final class ResidentCommand extends CliCommand {
    private static final String NATIVE_ACCESSORS = "-Djdk.reflect.useNativeAccessorOnly=true";
    /**
     * The launcher's startup cache (scripts/find-jdk.sh). A JDK 25 AOT cache holds method profiles of `lifeboat
     * train` as well, and the JIT compiles the hot methods by those at first: the warm-up's code was then compiled
     * again in the first commands (first 1 GiB backup of the benchmark corpus: 419-462 compilations and 14.2-15.0
     * CPU-s in 7.9-8.9 s, against 265-297 compilations and 11.5-13.9 CPU-s in 6.5-8.2 s without the cache, six
     * alternating pairs, as in the README). A process that warms itself up starts without it, about a second later.
     */
    private static final String AOT_CACHE = "-XX:AOTCache=";

    @Parameters(index = "0", paramLabel = "ACTION", description = "start, stop or status")
    String action;

    @Option(names = "--idle", paramLabel = "DURATION", defaultValue = "30m",
            description = "stop after this long without a command, e.g. 10m or 2h (default: ${DEFAULT-VALUE})")
    String idle;

    @Option(names = "--warm-up", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "before taking commands, run backups, a restore and a check of synthetic data in a private "
                    + "temporary folder (65 MiB of files, up to 180 MiB with their backups; 10 to 15 s on 2 cores), so that the first command runs compiled code "
                    + "(default: on; --no-warm-up starts at once)")
    boolean warmUp;

    @Override
    public Integer call() throws IOException {
        String cwd = System.getProperty("user.dir");
        Path socket = Resident.socket(cli.env(), cwd);
        return switch (action) {
            case "start" -> start(socket, cwd);
            case "stop" -> stop(socket, cwd);
            case "status" -> status(socket, cwd);
            default -> throw LifeboatException.usage("unknown action '" + action + "'",
                    "use 'lifeboat resident start', 'stop' or 'status'");
        };
    }

    private int start(Path socket, String cwd) throws IOException {
        Duration idleTime = BaseCommand.parseDuration(idle, "--idle");
        if (idleTime.isZero() || idleTime.isNegative()) {
            throw LifeboatException.usage("--idle must be positive", "give a duration such as 30m");
        }
        Map<String, String> running = query(socket, Resident.STATUS);
        if (running != null) {
            report(running, "already running");
            return 0;
        }
        Files.createDirectories(socket.getParent(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        try {
            Resident.checkPrivate(socket.getParent());
        } catch (IOException e) {
            throw LifeboatException.usage("unsafe folder for the resident process's socket: " + e.getMessage(),
                    "set LIFEBOAT_RUNTIME_DIR to a folder only you can enter");
        }
        Path log = socket.resolveSibling(socket.getFileName().toString().replace(".sock", ".log"));
        if (!lockIsFree(socket)) {
            // another 'resident start' is warming its process up: wait for that one
            return awaitStart(socket, null, Duration.ofSeconds(180), log);
        }
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            // its own session: closing the terminal that started it does not stop it
            command.add("/usr/bin/setsid");
        }
        command.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // native reflection accessors start faster but stay slower once hot (JSON decoding calls them for every
            // node of a snapshot tree): a long-lived process wants the JDK's default. Warm no-change backups of
            // 20,000 files took 0.56 to 0.75 s without them, 0.59 to 0.81 s with them
            if (!option.equals(NATIVE_ACCESSORS) && !(warmUp && option.startsWith(AOT_CACHE))) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ResidentServer.class.getName(),
                socket.toString(), Long.toString(idleTime.toSeconds())));
        if (warmUp) {
            command.add("warm-up");
        }
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true).start();
        Duration limit = Duration.ofSeconds(warmUp ? 180 : 60);
        if (awaitStart(socket, p, limit, log) == 0) {
            return 0;
        }
        // it found another process starting (a 'resident start' at the same time): wait for that one
        return awaitStart(socket, null, limit, log);
    }

    /** Whether no resident process is starting or running for the socket (see {@link Resident#lockProcess}). */
    private static boolean lockIsFree(Path socket) throws IOException {
        FileLock lock = Resident.lockProcess(socket);
        if (lock == null) {
            return false;
        }
        lock.channel().close();
        return true;
    }

    /**
     * Waits until a process answers on the socket and reports it; -1 when the process {@code p} exited
     * because another one holds the socket's lock. With {@code p} null, waits for a process another command
     * started.
     */
    private int awaitStart(Path socket, Process p, Duration limit, Path log) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, String> running = query(socket, Resident.STATUS);
            if (running != null) {
                report(running, "started");
                return 0;
            }
            if (p != null && !p.isAlive()) {
                if (p.exitValue() == ResidentServer.ANOTHER_PROCESS) {
                    return -1;
                }
                break;
            }
            if (p == null && lockIsFree(socket)) {
                // the process another command started exited without listening (a listening one holds the lock)
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                if (p != null) {
                    p.destroy();
                }
                throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted while starting", null);
            }
        }
        if (p != null) {
            p.destroy();
        }
        throw new LifeboatException(ErrorCode.FAILURE, "the resident process did not start"
                + (p == null || p.isAlive() ? " within " + limit.toSeconds() + " s" : " (exit status " + p.exitValue() + ")"),
                "see its log '" + log + "'");
    }

    private int stop(Path socket, String cwd) throws IOException {
        if (query(socket, Resident.STOP) == null) {
            say("no resident process runs for " + cwd);
            if (json) {
                printJson(Map.of("directory", cwd, "running", false));
            }
            return 0;
        }
        say("stopped the resident process for " + cwd);
        if (json) {
            printJson(Map.of("directory", cwd, "running", false, "stopped", true));
        }
        return 0;
    }

    private int status(Path socket, String cwd) throws IOException {
        Map<String, String> running = query(socket, Resident.STATUS);
        if (running == null) {
            if (json) {
                printJson(Map.of("directory", cwd, "running", false));
            } else {
                cli.out().println("no resident process runs for " + cwd);
            }
            return ErrorCode.NOT_FOUND.exitStatus();
        }
        report(running, "running");
        return 0;
    }

    private void report(Map<String, String> status, String state) throws IOException {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("running", true);
            m.putAll(status);
            for (String number : List.of("pid", "idle-timeout-seconds", "served", "declined", "heap-bytes")) {
                m.put(number, Long.parseLong(status.get(number)));
            }
            m.put("busy", Boolean.parseBoolean(status.get("busy")));
            m.put("peak-rss-kib", peakRssKib(status.get("pid")));
            printJson(m);
            return;
        }
        long rss = peakRssKib(status.get("pid"));
        cli.out().printf("resident process %s %s: serves commands run from %s (%s served, %s declined, "
                        + "stops after %s s idle%s)%n", status.get("pid"), state, status.get("directory"),
                status.get("served"), status.get("declined"), status.get("idle-timeout-seconds"),
                rss < 0 ? "" : ", peak RSS " + rss / 1024 + " MiB");
    }

    /** The process's peak resident memory (VmHWM), or -1 where /proc does not tell. */
    static long peakRssKib(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not on Linux, or gone
        }
        return -1;
    }

    /** Sends a status or stop request; the reply's key=value lines, or null when nothing listens. */
    private static Map<String, String> query(Path socket, byte kind) {
        if (!Files.exists(socket)) {
            return null;
        }
        try (SocketChannel ch = Resident.connect(socket)) {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            out.writeInt(Resident.MAGIC);
            out.writeByte(kind);
            out.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
            Map<String, String> m = new LinkedHashMap<>();
            while (true) {
                byte type = in.readByte();
                byte[] b = Resident.readFrame(in);
                if (type == Resident.EXIT) {
                    return m;
                }
                for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        m.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
    }
}
