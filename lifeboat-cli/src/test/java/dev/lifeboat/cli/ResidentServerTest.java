package dev.lifeboat.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A resident process in this JVM, on a real Unix socket, with the real client: it runs what it serves
 * exactly as a fresh process would (output, exit status), and declines, leaving no trace, what it cannot.
 */
class ResidentServerTest {
    @TempDir
    Path dir;

    private LifeboatCli lifeboat;
    private Path runtime;
    private Path socket;
    private InProcessResident resident;
    private final String cwd = System.getProperty("user.dir");

    @BeforeEach
    void setUp() throws Exception {
        lifeboat = InProcessResident.repositoryWithOneSnapshot(dir);
        runtime = dir.resolve("run");
        socket = Resident.socket(lifeboat.env, cwd);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (resident != null) {
            resident.stop();
        }
    }

    private void start(Map<String, String> env, Path jar) throws Exception {
        resident = InProcessResident.start(socket, env, cwd, jar);
    }

    private LifeboatCli.Run client(Map<String, String> env, String cwd, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ResidentClient.run(socket, List.of(args), env, cwd, false,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new LifeboatCli.Run(List.of(args), exit, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void oneProcessAtATimeHoldsTheLockOfASocketUntilItsChannelCloses() throws Exception {
        Files.createDirectories(runtime);
        java.nio.channels.FileLock first = Resident.lockProcess(socket);

        assertThat(first).isNotNull();
        assertThat(Resident.lockProcess(socket)).isNull();
        first.channel().close();
        java.nio.channels.FileLock again = Resident.lockProcess(socket);
        assertThat(again).isNotNull();
        again.channel().close();
    }

    @Test
    void runsACommandAsAFreshProcessWouldWithItsOutputAndExitStatus() throws Exception {
        start(lifeboat.env, null);
        LifeboatCli.Run direct = lifeboat.ok("ls", "latest");
        LifeboatCli.Run served = client(lifeboat.env, cwd, "ls", "latest");
        assertThat(served.exit()).as("%s", served).isZero();
        assertThat(served.out()).isEqualTo(direct.out()).contains("a.txt");

        LifeboatCli.Run missing = client(lifeboat.env, cwd, "ls", "deadbeef");
        LifeboatCli.Run missingDirect = lifeboat.run("ls", "deadbeef");
        assertThat(missing.exit()).isEqualTo(missingDirect.exit()).isNotIn(0, Resident.DECLINED_STATUS);
        assertThat(missing.err()).isEqualTo(missingDirect.err()).startsWith("lifeboat: ");

        LifeboatCli.Run status = lifeboat.ok("resident", "status", "--json");
        assertThat(status.json().get("served").asInt()).isEqualTo(2);
        assertThat(status.json().get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void declinesWhatItCannotRunAsAFreshProcessWould() throws Exception {
        start(lifeboat.env, null);
        Map<String, String> other = new HashMap<>(lifeboat.env);
        other.put("PGHOST", "elsewhere");
        for (LifeboatCli.Run r : List.of(client(other, cwd, "snapshots"), client(lifeboat.env, "/", "snapshots"),
                client(lifeboat.env, cwd, "init"), client(lifeboat.env, cwd, "key", "list"),
                client(lifeboat.env, cwd, "wal", "stream"), client(lifeboat.env, cwd))) {
            assertThat(r.exit()).as("%s", r).isEqualTo(Resident.DECLINED_STATUS);
            assertThat(r.out() + r.err()).as("%s", r).isEmpty();
        }
        // volatile shell variables do not count
        Map<String, String> shell = new HashMap<>(lifeboat.env);
        shell.put("OLDPWD", "/somewhere");
        shell.put("SHLVL", "3");
        assertThat(client(shell, cwd, "snapshots").exit()).isZero();
        assertThat(lifeboat.ok("resident", "status", "--json").json().get("declined").asInt()).isEqualTo(6);
    }

    @Test
    void declinesACommandThatWouldPromptForThePassword() throws Exception {
        Map<String, String> env = new HashMap<>(lifeboat.env);
        env.remove("LIFEBOAT_PASSWORD");
        start(env, null);
        // the launcher then runs it in a fresh process, which can prompt on the terminal
        LifeboatCli.Run r = client(env, cwd, "snapshots");
        assertThat(r.exit()).as("%s", r).isEqualTo(Resident.DECLINED_STATUS);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void stopsWhenTheJarIsRebuiltAndOnRequest() throws Exception {
        Path jar = Files.writeString(dir.resolve("lifeboat.jar"), "jar");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        start(lifeboat.env, jar);
        assertThat(client(lifeboat.env, cwd, "snapshots").exit()).isZero();
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
        assertThat(client(lifeboat.env, cwd, "snapshots").exit()).isEqualTo(Resident.DECLINED_STATUS);
        resident.serving().join(10_000);
        assertThat(resident.serving().isAlive()).isFalse();
        assertThat(socket).doesNotExist();
        resident = null;

        start(lifeboat.env, null);
        assertThat(lifeboat.ok("resident", "stop").out()).contains("stopped the resident process");
        resident.serving().join(10_000);
        assertThat(resident.serving().isAlive()).isFalse();
        resident = null;
        LifeboatCli.Run status = lifeboat.run("resident", "status");
        assertThat(status.exit()).isEqualTo(14);
        assertThat(status.out()).contains("no resident process runs for " + cwd);
        assertThat(client(lifeboat.env, cwd, "snapshots").exit()).isEqualTo(Resident.DECLINED_STATUS);
    }

    @Test
    void aClientTrustsNoSocketInAFolderOthersCanEnter() throws Exception {
        start(lifeboat.env, null);
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxr-xr-x"));
        LifeboatCli.Run r = client(lifeboat.env, cwd, "snapshots");
        assertThat(r.exit()).isEqualTo(Resident.DECLINED_STATUS);
        LifeboatCli.Run start = lifeboat.run("resident", "start");
        assertThat(start.exit()).isEqualTo(2);
        assertThat(start.err()).contains("unsafe folder for the resident process's socket")
                .contains("LIFEBOAT_RUNTIME_DIR");
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
        assertThat(lifeboat.ok("resident", "status", "--json").json().get("served").asInt()).isZero();
    }

    @Test
    void badActionsAndDurationsAreUsageErrors() {
        LifeboatCli.Run r = lifeboat.run("resident", "restart");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown action 'restart'");
        r = lifeboat.run("resident", "start", "--idle", "soon");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("invalid duration 'soon' for --idle");
        assertThat(lifeboat.run("resident", "status").exit()).isEqualTo(14);
    }
}
