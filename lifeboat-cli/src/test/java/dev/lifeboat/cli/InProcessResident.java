package dev.lifeboat.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A resident process served by a thread of the test's JVM on a real Unix socket, listening once started. */
record InProcessResident(ResidentServer server, Thread serving) {
    /** Starts serving {@code cwd} with {@code env} (and {@code jar} to watch, or null) and waits for its socket. */
    static InProcessResident start(Path socket, Map<String, String> env, String cwd, Path jar) throws Exception {
        ResidentServer server = new ResidentServer(socket, env, cwd, Duration.ofMinutes(5), jar);
        Thread serving = Thread.ofPlatform().start(() -> {
            try {
                server.serve();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(socket) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(socket).exists();
        return new InProcessResident(server, serving);
    }

    /**
     * A repository in {@code dir} with one snapshot (of a folder holding {@code a.txt}), whose commands put the
     * resident process's socket in {@code dir/run}.
     */
    static LifeboatCli repositoryWithOneSnapshot(Path dir) throws IOException {
        LifeboatCli lifeboat = new LifeboatCli(dir.resolve("repo"));
        lifeboat.env.put("LIFEBOAT_RUNTIME_DIR", dir.resolve("run").toString());
        lifeboat.ok("init");
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "alpha\n");
        lifeboat.ok("backup", "--type", "files", data.toString());
        return lifeboat;
    }

    /** Asks it to stop and waits up to 10 s for its thread. */
    void stop() throws InterruptedException {
        server.stop();
        serving.join(10_000);
    }
}
