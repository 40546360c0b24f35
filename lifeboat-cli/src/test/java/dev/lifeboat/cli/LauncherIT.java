package dev.lifeboat.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command on a tree as a fresh clone has it (no target folders, nothing installed in the
 * local Maven repository): {@code ./lifeboat} builds the project itself, then runs. Its build once skipped
 * compiling the tests, so the modules' test jars that other modules' tests use did not exist and the build
 * failed on every fresh machine.
 */
class LauncherIT {
    @Test
    void theLauncherBuildsAPristineCheckoutAndRuns(@TempDir Path dir) throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        assertThat(root.resolve("lifeboat")).isRegularFile();
        Path checkout = dir.resolve("checkout");
        Process ls = new ProcessBuilder("git", "-C", root.toString(), "ls-files", "-z").start();
        String tracked = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ls.waitFor()).isZero();
        int copied = 0;
        for (String file : tracked.split("\0")) {
            Path source = root.resolve(file);
            if (file.isEmpty() || !Files.isRegularFile(source)) {
                continue;
            }
            Path target = checkout.resolve(file);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            copied++;
        }
        assertThat(copied).isGreaterThan(100);

        Path output = dir.resolve("output.txt");
        Process launcher = new ProcessBuilder("./lifeboat", "--version").directory(checkout.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean finished = launcher.waitFor(15, TimeUnit.MINUTES);
        if (!finished) {
            launcher.destroyForcibly();
        }
        String printed = Files.readString(output);

        assertThat(finished).as(printed).isTrue();
        assertThat(launcher.exitValue()).as(printed).isZero();
        assertThat(printed).contains("lifeboat: building (first run or sources changed)...")
                .containsPattern("(?m)^lifeboat \\d+\\.\\d+");

        residentProcessServesTheLaunchersCommands(checkout, dir);
    }

    /**
     * With a resident process started, the launcher hands it the data commands of its directory and runs the
     * others, and those it declines, itself; the output is the same either way.
     */
    private void residentProcessServesTheLaunchersCommands(Path checkout, Path dir) throws Exception {
        Path runtime = Files.createDirectory(dir.resolve("run"), java.nio.file.attribute.PosixFilePermissions
                .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        Map<String, String> env = Map.of("LIFEBOAT_REPO", dir.resolve("repo").toString(),
                "LIFEBOAT_PASSWORD", "launcher", "LIFEBOAT_KDF_MEMORY_MIB", "8", "LIFEBOAT_RUNTIME_DIR", runtime.toString());
        try {
            assertThat(launch(checkout, env, "init").exit()).isZero();
            Launched start = launch(checkout, env, "resident", "start", "--json");
            assertThat(start.exit()).as(start.out()).isZero();
            assertThat(start.out()).contains("\"running\" : true");
            // the build's native client, when it made one, is what the launcher runs: a wrapper in its place notes
            // each call and hands it on
            Path client = checkout.resolve("lifeboat-cli/target/lifeboat-client");
            Path calls = dir.resolve("native-client-calls");
            boolean nativeClient = Files.isExecutable(client);
            if (nativeClient) {
                Files.move(client, client.resolveSibling("lifeboat-client.real"));
                Files.writeString(client, "#!/bin/sh\necho called >> '" + calls + "'\nexec \"$0.real\" \"$@\"\n");
                assertThat(client.toFile().setExecutable(true)).isTrue();
            }
            Launched served = launch(checkout, env, "snapshots");
            assertThat(served.exit()).as(served.out()).isZero();
            assertThat(served.out()).contains("0 snapshot(s)");
            if (nativeClient) {
                assertThat(calls).as("the launcher ran the native client").exists();
            }
            // a native client that cannot run here (another libc or architecture: exit status 126 or 127) leaves the
            // command to the JVM client, which the resident process serves
            Files.write(client, new byte[] {0x7f, 'E', 'L', 'F', 1, 2, 3});
            assertThat(client.toFile().setExecutable(true)).isTrue();
            Launched fallback = launch(checkout, env, "snapshots");
            assertThat(fallback.exit()).as(fallback.out()).isZero();
            assertThat(fallback.out()).endsWith(served.out())
                    .contains("lifeboat: cannot run the resident process's native client");
            if (nativeClient) {
                Files.move(client.resolveSibling("lifeboat-client.real"), client, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.delete(client);
            }
            Map<String, String> other = new HashMap<>(env);
            other.put("LIFEBOAT_SOMETHING_ELSE", "1");
            Launched declined = launch(checkout, other, "snapshots");
            assertThat(declined.out()).isEqualTo(served.out());
            Launched status = launch(checkout, env, "resident", "status", "--json");
            assertThat(status.out()).contains("\"served\" : 2,").contains("\"declined\" : 1,");
        } finally {
            launch(checkout, env, "resident", "stop");
        }
        assertThat(launch(checkout, env, "resident", "status").exit()).isEqualTo(14);
    }

    private static Launched launch(Path checkout, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("./lifeboat"));
        command.addAll(List.of(args));
        return Launched.run(command, checkout, env);
    }
}
