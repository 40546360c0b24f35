package dev.lifeboat.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The two clients of a resident process, as the launcher runs them: the native one the build compiles beside
 * the jar (src/main/c/lifeboat-client.c) and the JVM one ({@link ResidentClient}) it falls back to. Each runs as a
 * process of its own against a resident process in this JVM, and both must behave the same: a served command's
 * output and exit status are a fresh process's, a command the process does not take exits 254 having printed
 * nothing (the launcher then runs it itself), Ctrl-C stops the command and exits 130, and on a terminal the
 * command draws its progress bar.
 */
class ResidentClientsIT {
    private static final Path NATIVE = Path.of("target", "lifeboat-client");
    private static final Path JAR = Path.of("target", "lifeboat.jar");

    @TempDir
    Path dir;

    private LifeboatCli lifeboat;
    private Path runtime;
    private Path socket;
    private String cwd;
    private InProcessResident resident;

    @BeforeEach
    void setUp() throws Exception {
        cwd = Path.of(System.getProperty("user.dir")).toRealPath().toString();
        lifeboat = InProcessResident.repositoryWithOneSnapshot(dir);
        runtime = dir.resolve("run");
        // what script(1) needs to run a client on a terminal; the clients hand both over
        lifeboat.env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        lifeboat.env.put("TERM", "xterm");
        socket = Resident.socket(lifeboat.env, cwd);
        resident = InProcessResident.start(socket, lifeboat.env, cwd, null);
    }

    @AfterEach
    void tearDown() throws Exception {
        resident.stop();
    }

    /** The build compiles the native client wherever a C compiler is installed (see src/main/c/build.sh). */
    @Test
    void theBuildCompilesTheNativeClientWhereACompilerIs() throws Exception {
        assumeTrue(installed("cc", "gcc", "clang"), "no C compiler: the launcher uses the JVM client");
        assertThat(NATIVE).isRegularFile().isExecutable();
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "jvm"})
    void aServedCommandPrintsAndExitsAsAFreshProcess(String client) throws Exception {
        LifeboatCli.Run direct = lifeboat.ok("ls", "latest");
        LifeboatCli.Run served = client(client, lifeboat.env, "ls", "latest");
        assertThat(served.exit()).as("%s", served).isZero();
        assertThat(served.out()).isEqualTo(direct.out()).contains("a.txt");
        assertThat(served.err()).isEmpty();

        LifeboatCli.Run missingDirect = lifeboat.run("ls", "deadbeef");
        LifeboatCli.Run missing = client(client, lifeboat.env, "ls", "deadbeef");
        assertThat(missing.exit()).as("%s", missing).isEqualTo(missingDirect.exit()).isEqualTo(14);
        assertThat(missing.err()).isEqualTo(missingDirect.err()).startsWith("lifeboat: ");
        assertThat(missing.out()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "jvm"})
    void whatTheProcessDoesNotTakeExits254HavingPrintedNothing(String client) throws Exception {
        Map<String, String> other = new HashMap<>(lifeboat.env);
        other.put("PGHOST", "elsewhere");
        List<LifeboatCli.Run> runs = new ArrayList<>(List.of(client(client, other, "snapshots"),
                client(client, lifeboat.env, "init"), client(client, lifeboat.env, "key", "list")));
        Path elsewhere = socket.resolveSibling("resident-0000000000000000.sock");
        runs.add(run(command(client, elsewhere, List.of("snapshots")), lifeboat.env, List.of("snapshots")));
        // a folder other users can enter: the request would hand them the environment, password included
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx---r-x"));
        runs.add(client(client, lifeboat.env, "snapshots"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
        for (LifeboatCli.Run r : runs) {
            assertThat(r.exit()).as("%s", r).isEqualTo(Resident.DECLINED_STATUS);
            assertThat(r.out() + r.err()).as("%s", r).isEmpty();
        }
        assertThat(client(client, lifeboat.env, "snapshots").exit()).isZero();
    }

    /**
     * Ctrl-C on the client stops the command in the resident process (a backup of a 16 GiB sparse file, which takes
     * far longer than the test waits), the client exits 130 as a fresh process does, nothing is saved, and the
     * process serves the next command. A hangup the client was started to ignore (as under nohup) stops nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"native", "jvm"})
    void ctrlCStopsTheServedCommand(String client) throws Exception {
        Path big = Files.createDirectories(dir.resolve("big"));
        try (RandomAccessFile f = new RandomAccessFile(big.resolve("zeros.bin").toFile(), "rw")) {
            f.setLength(16L << 30);
        }
        String line = "trap '' HUP; exec" + shellWords(command(client, socket, List.of("backup", "--type", "files",
                big.toString())));
        Process p = process(List.of("sh", "-c", line), lifeboat.env).redirectErrorStream(true).start();
        StringBuffer printed = new StringBuffer();
        Thread reader = Thread.ofPlatform().start(() -> {
            byte[] b = new byte[4096];
            try (var in = p.getInputStream()) {
                for (int n; (n = in.read(b)) > 0; ) {
                    printed.append(new String(b, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                printed.append(e);
            }
        });
        // the backup's first progress line says that the resident process runs it
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!printed.toString().contains("backup: ") && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(printed.toString()).contains("of 16.0 GiB");
        assertThat(p.isAlive()).as("the backup is still running").isTrue();
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor()).isZero();
        assertThat(p.waitFor(1, TimeUnit.SECONDS)).as("an ignored hangup stops nothing: %s", printed).isFalse();
        assertThat(new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor()).isZero();

        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the client exits after Ctrl-C").isTrue();
        reader.join(10_000);
        assertThat(p.exitValue()).as(printed.toString()).isEqualTo(130);
        assertThat(lifeboat.ok("snapshots", "--json").json().size()).as(printed.toString()).isEqualTo(1);
        LifeboatCli.Run next = client(client, lifeboat.env, "snapshots");
        assertThat(next.exit()).as("%s", next).isZero();
        assertThat(next.out()).contains("1 snapshot(s)");
    }

    /**
     * On a terminal (script(1) gives the client one) the client says so and the command draws its progress bar;
     * with its output in a pipe it prints plain lines.
     */
    @ParameterizedTest
    @ValueSource(strings = {"native", "jvm"})
    void onATerminalTheCommandDrawsItsProgressBar(String client) throws Exception {
        assumeTrue(installed("script"), "no script(1)");
        Path data = Files.createDirectories(dir.resolve("bar"));
        byte[] noise = new byte[48 << 20];
        new java.util.Random(7).nextBytes(noise);
        Files.write(data.resolve("noise.bin"), noise);
        List<String> args = List.of("backup", "--type", "files", data.toString());
        LifeboatCli.Run onTerminal = run(List.of("script", "-qec", shellWords(command(client, socket, args)), "/dev/null"),
                lifeboat.env, args);
        assertThat(onTerminal.exit()).as("%s", onTerminal).isZero();
        assertThat(onTerminal.out()).as("%s", onTerminal).contains("\u001b[").contains("backup").contains("saved");

        LifeboatCli.Run piped = client(client, lifeboat.env, args.toArray(String[]::new));
        assertThat(piped.exit()).as("%s", piped).isZero();
        assertThat(piped.out() + piped.err()).contains("saved").doesNotContain("\u001b[");
    }

    /**
     * The JVM decodes the request's strings with the locale's charset; the native client sends bytes as UTF-8. With
     * a non-ASCII byte in a locale that is not UTF-8 it sends nothing and exits 253, and the launcher uses the JVM
     * client; in a UTF-8 locale it sends the request (declined here: the environment differs from the process's).
     */
    @Test
    void nonAsciiInALocaleThatIsNotUtf8GoesToTheJvmClient() throws Exception {
        // the value's bytes from printf, whatever charset this JVM hands the environment over in
        List<String> sh = List.of("sh", "-c", "LIFEBOAT_NOTE=\"$(printf 'd\\303\\251j\\303\\240 vu')\" exec"
                + shellWords(command("native", socket, List.of("snapshots"))));
        Map<String, String> env = new HashMap<>(lifeboat.env);
        env.put("LC_ALL", "C");
        LifeboatCli.Run ascii = run(sh, env, List.of("snapshots"));
        assertThat(ascii.exit()).as("%s", ascii).isEqualTo(253);
        assertThat(ascii.out() + ascii.err()).isEmpty();
        env.put("LC_ALL", "C.UTF-8");
        LifeboatCli.Run utf8 = run(sh, env, List.of("snapshots"));
        assertThat(utf8.exit()).as("%s", utf8).isEqualTo(Resident.DECLINED_STATUS);
        assertThat(lifeboat.ok("resident", "status", "--json").json().get("declined").asInt()).isEqualTo(1);
    }

    private LifeboatCli.Run client(String client, Map<String, String> env, String... args) throws Exception {
        return run(command(client, socket, List.of(args)), env, List.of(args));
    }

    private List<String> command(String client, Path sock, List<String> args) {
        List<String> command = new ArrayList<>();
        if (client.equals("native")) {
            assumeTrue(Files.isExecutable(NATIVE), "the native client is not built (no C compiler)");
            command.add(NATIVE.toAbsolutePath().toString());
        } else {
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-cp", JAR.toAbsolutePath().toString(),
                    ResidentClient.class.getName()));
        }
        command.add(sock.toString());
        command.addAll(args);
        return command;
    }

    /** A client's process with exactly {@code env}, in the resident process's folder. */
    private ProcessBuilder process(List<String> command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(Path.of(cwd).toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb;
    }

    /** Words for sh, each quoted, each after a space. */
    private static String shellWords(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String word : words) {
            line.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        return line.toString();
    }

    /** Runs a client with exactly {@code env} in the resident process's folder, stdin empty. */
    private LifeboatCli.Run run(List<String> command, Map<String, String> env, List<String> args) throws Exception {
        Process p = process(command, env).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p, false));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p, true));
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new LifeboatCli.Run(args, p.exitValue(), out.get(), err.get());
    }

    private static String read(Process p, boolean err) {
        try {
            return new String((err ? p.getErrorStream() : p.getInputStream()).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether any of the programs is on PATH. */
    private static boolean installed(String... programs) throws Exception {
        for (String program : programs) {
            if (new ProcessBuilder("sh", "-c", "command -v " + program).start().waitFor() == 0) {
                return true;
            }
        }
        return false;
    }
}
