package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.engine.files.TreeCompare;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup process killed with SIGKILL at some instant leaves a repository that checks clean (every byte
 * read), whose stale lock blocks nobody (not even an exclusive lock), and into which the next backup
 * succeeds and restores exactly. The kill points only choose the instant: nothing asserts how far the
 * backup got, and a backup that finishes before its kill point is as good a case as any.
 */
class CrashIT {
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path corpusDir;
    static Path corpus;

    @TempDir
    Path dir;

    /** About 300 MiB: large random files, large text files, many small files, symlinks and empty folders. */
    @BeforeAll
    static void createCorpus() throws IOException {
        corpus = corpusDir.resolve("corpus");
        for (int i = 0; i < 8; i++) {
            Trees.largeFile(corpus.resolve("big/random-" + i + ".bin"), 100 + i, 12 * MIB + i, false);
        }
        for (int i = 0; i < 4; i++) {
            Trees.largeFile(corpus.resolve("text/log-" + i + ".txt"), 200 + i, 20 * MIB + i, true);
        }
        for (int i = 0; i < 40; i++) {
            Trees.largeFile(corpus.resolve("medium/part-" + i + ".bin"), 300 + i, MIB + 17 * i, i % 2 == 0);
        }
        for (int i = 0; i < 2000; i++) {
            int size = 4096 + (i * 7919) % 61440;
            byte[] content = i % 3 == 0 ? Trees.random(400 + i, size) : Trees.text(400 + i, size);
            Trees.file(corpus.resolve("many/d" + i % 50 + "/f" + i + ".dat"), content, "rw-r--r--");
        }
        Trees.symlink(corpus.resolve("links/to-big"), "../big/random-0.bin");
        Trees.dir(corpus.resolve("empty"), "rwxr-x---");
    }

    /** Moments to kill the backup at, recognised from the outside by what the repository holds. */
    enum KillPoint {
        /** The backup stored its lock and is walking the tree or filling its first packs. */
        LOCK_TAKEN(repo -> names(repo.resolve("locks")).stream().anyMatch(n -> !n.startsWith(".tmp-"))),
        /** A pack is half written (only its temporary file exists) while others are already stored. */
        PACK_BEING_WRITTEN(repo -> packs(repo, false) >= 3 && packs(repo, true) >= 1),
        /** Most of the data is stored. */
        EIGHT_PACKS_STORED(repo -> packs(repo, false) >= 8);

        final Predicate<Path> reached;

        KillPoint(Predicate<Path> reached) {
            this.reached = reached;
        }
    }

    @ParameterizedTest
    @EnumSource(KillPoint.class)
    void backupKilledAtAnyInstantLeavesARepositoryThatChecksCleanAndTakesTheNextBackup(KillPoint when)
            throws Exception {
        Path repo = dir.resolve("repo");
        LifeboatCli lifeboat = new LifeboatCli(repo);
        lifeboat.ok("init");

        killBackupWhen(repo, when);

        lifeboat.ok("check", "--read-data", "--quiet");
        Path pw = Trees.file(dir.resolve("other.pw"), "another password");
        String key = lifeboat.ok("key", "add", "--json", "--new-password-file", pw.toString()).json().get("added").asText();
        lifeboat.ok("key", "remove", key);
        JsonNode backup = lifeboat.ok("backup", "--json", "--quiet", corpus.toString()).json();
        Path target = dir.resolve("restore");
        lifeboat.ok("restore", backup.get("snapshot").asText(), "--quiet", "--target", target.toString());
        assertThat(TreeCompare.differences(corpus, Trees.restored(target, corpus), true)).isEmpty();
        lifeboat.ok("check", "--quiet");
    }

    /**
     * Runs 'lifeboat backup' in its own JVM and kills it with SIGKILL as soon as the repository shows the
     * kill point was reached (or lets it finish if it gets there first).
     */
    private void killBackupWhen(Path repo, KillPoint when) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "backup", "--repo", repo.toString(), corpus.toString()))
                .redirectOutput(dir.resolve("child.out").toFile())
                .redirectError(dir.resolve("child.err").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("LIFEBOAT_"));
        env.put("LIFEBOAT_PASSWORD", LifeboatCli.PASSWORD);
        env.put("LIFEBOAT_KDF_MEMORY_MIB", "8");
        Process child = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (child.isAlive() && !when.reached.test(repo) && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as("killed (137) or finished (0): %s",
                Files.readString(dir.resolve("child.err"))).isIn(0, 128 + 9);
    }

    /** Stored packs, or packs being written (temporary files), without reading any file's attributes. */
    private static int packs(Path repo, boolean beingWritten) {
        int n = 0;
        for (String sub : names(repo.resolve("data"))) {
            for (String name : names(repo.resolve("data").resolve(sub))) {
                if (name.startsWith(".tmp-") == beingWritten) {
                    n++;
                }
            }
        }
        return n;
    }

    private static List<String> names(Path dir) {
        String[] names = dir.toFile().list();
        return names == null ? List.of() : List.of(names);
    }
}
