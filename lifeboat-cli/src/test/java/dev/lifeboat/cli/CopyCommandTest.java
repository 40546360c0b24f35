package dev.lifeboat.cli;

import dev.lifeboat.engine.files.TreeCompare;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** lifeboat copy between two local repositories with different passwords. */
class CopyCommandTest {
    @TempDir(factory = QuietTempDir.class)
    Path dir;

    @Test
    void copiesSnapshotsToARepositoryWithAnotherPasswordAndSkipsThemTheNextTime() throws Exception {
        LifeboatCli lifeboat = new LifeboatCli(dir.resolve("primary"));
        lifeboat.ok("init");
        Path src = dir.resolve("src");
        Trees.file(src.resolve("a.txt"), "alpha\n");
        Trees.largeFile(src.resolve("b.bin"), 5, 3 << 20, false);
        lifeboat.ok("backup", "--quiet", src.toString());
        Path offsite = dir.resolve("offsite");
        LifeboatCli other = new LifeboatCli(offsite);
        other.env.put("LIFEBOAT_PASSWORD", "another password");
        other.ok("init");
        lifeboat.env.put("LIFEBOAT_TO_PASSWORD", "another password");

        LifeboatCli.Run first = lifeboat.ok("copy", "--quiet", "--to", offsite.toString());
        LifeboatCli.Run second = lifeboat.ok("copy", "--quiet", "--to", offsite.toString(), "latest");

        assertThat(first.out()).startsWith("copied snapshot ");
        assertThat(second.out()).contains("is already in '" + offsite + "' as ");
        Path target = dir.resolve("restore");
        Files.createDirectory(target);
        other.ok("restore", "latest", "--quiet", "--target", target.toString());
        assertThat(TreeCompare.differences(src, Trees.restored(target, src), true)).isEmpty();
        assertThat(other.ok("check", "--read-data", "--quiet").out()).contains("no errors were found");
    }

    @Test
    void theDestinationMustExist() {
        LifeboatCli lifeboat = new LifeboatCli(dir.resolve("primary"));
        lifeboat.ok("init");

        LifeboatCli.Run copy = lifeboat.run("copy", "--to", dir.resolve("nowhere").toString());

        assertThat(copy.exit()).isEqualTo(10);
        assertThat(copy.errLines()).containsExactly("lifeboat: there is no repository at '" + dir.resolve("nowhere") + "'",
                "HINT: create it first with 'lifeboat init --repo " + dir.resolve("nowhere") + "'");
    }
}
