package dev.lifeboat.cli;

import dev.lifeboat.engine.files.TreeCompare;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A backup host configured append-only: backups, restores and checks work, deleting anything is refused. */
class AppendOnlyCliTest {
    @TempDir(factory = QuietTempDir.class)
    Path dir;

    Path repo;
    LifeboatCli lifeboat;

    @BeforeEach
    void createRepositoryAppendOnly() {
        repo = dir.resolve("repo");
        lifeboat = new LifeboatCli(repo);
        lifeboat.env.put("LIFEBOAT_APPEND_ONLY", "true");
        lifeboat.env.put("LIFEBOAT_NEW_PASSWORD", "another password");
        lifeboat.ok("init");
    }

    @Test
    void backupRestoreAndCheckWork() throws Exception {
        Path src = dir.resolve("src");
        Trees.file(src.resolve("a.txt"), "alpha\n");
        Trees.largeFile(src.resolve("big.bin"), 7, 3 << 20, false);
        lifeboat.ok("backup", "--quiet", src.toString());
        Trees.file(src.resolve("a.txt"), "alpha, changed\n");
        lifeboat.ok("backup", "--quiet", src.toString());

        Path target = dir.resolve("restore");
        Files.createDirectory(target);
        lifeboat.ok("restore", "latest", "--quiet", "--target", target.toString());
        LifeboatCli.Run check = lifeboat.ok("check", "--read-data", "--quiet");

        assertThat(TreeCompare.differences(src, Trees.restored(target, src), true)).isEmpty();
        assertThat(lifeboat.ok("snapshots", "--json").json()).hasSize(2);
        assertThat(check.out()).contains("no errors were found").doesNotContain("object lock");
        assertThat(Files.list(repo.resolve("locks"))).isEmpty();
    }

    @Test
    void keyRemovalIsRefusedAndTheKeyStays() {
        String added = lifeboat.ok("key", "add", "--json").json().path("added").asText();

        LifeboatCli.Run remove = lifeboat.run("key", "remove", added);

        assertThat(remove.exit()).as("%s", remove).isEqualTo(17);
        assertThat(remove.errLines()).containsExactly(
                "lifeboat: repository '" + repo + "' is append-only: refusing to delete 'keys/" + added + "'",
                "HINT: forget, prune and remove keys from a trusted host whose configuration does not set "
                        + "'append-only' (LIFEBOAT_APPEND_ONLY)");
        assertThat(repo.resolve("keys").resolve(added)).exists();
    }

    @Test
    void theConfigurationFileSetsItToo() throws Exception {
        String added = lifeboat.ok("key", "add", "--json").json().path("added").asText();
        lifeboat.env.remove("LIFEBOAT_APPEND_ONLY");
        lifeboat.env.put("LIFEBOAT_CONFIG", Trees.file(dir.resolve("lifeboat.yml"), "append-only: true\n").toString());

        assertThat(lifeboat.run("key", "remove", added).exit()).isEqualTo(17);

        lifeboat.env.put("LIFEBOAT_APPEND_ONLY", "false");
        assertThat(lifeboat.ok("key", "remove", added).out()).startsWith("removed key ");
    }
}
