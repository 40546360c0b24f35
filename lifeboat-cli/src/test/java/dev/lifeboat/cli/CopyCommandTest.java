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

    @Test
    void backupCopiesEachNewSnapshotToTheRepositoriesOfCopyTo() throws Exception {
        LifeboatCli lifeboat = new LifeboatCli(dir.resolve("primary"));
        lifeboat.ok("init");
        Path offsite = dir.resolve("offsite");
        LifeboatCli other = new LifeboatCli(offsite);
        other.env.put("LIFEBOAT_PASSWORD", "another password");
        other.ok("init");
        lifeboat.env.put("LIFEBOAT_COPY_TO", offsite.toString());
        lifeboat.env.put("LIFEBOAT_TO_PASSWORD", "another password");
        Path src = dir.resolve("src");
        Trees.file(src.resolve("a.txt"), "alpha\n");

        LifeboatCli.Run backup = lifeboat.ok("backup", src.toString());
        LifeboatCli.Run skipped = lifeboat.ok("backup", "--no-copy", src.toString());

        assertThat(backup.outLines()).anyMatch(l -> l.startsWith("  copied to '" + offsite + "' as "));
        assertThat(skipped.out()).doesNotContain("copied to");
        assertThat(lifeboat.ok("snapshots", "--json").json()).hasSize(2);
        assertThat(other.ok("snapshots", "--json").json()).hasSize(1);
        Path target = dir.resolve("restore");
        Files.createDirectory(target);
        other.ok("restore", "latest", "--quiet", "--target", target.toString());
        assertThat(TreeCompare.differences(src, Trees.restored(target, src), true)).isEmpty();
    }

    @Test
    void aCopyThatFailsKeepsTheBackupSaysHowToRetryAndExitsWithItsCode() throws Exception {
        LifeboatCli lifeboat = new LifeboatCli(dir.resolve("primary"));
        lifeboat.ok("init");
        Path nowhere = dir.resolve("nowhere");
        Path src = dir.resolve("src");
        Trees.file(src.resolve("a.txt"), "alpha\n");

        LifeboatCli.Run backup = lifeboat.run("backup", "--json", "--copy-to", nowhere.toString(), src.toString());

        assertThat(backup.exit()).as("%s", backup).isEqualTo(10);
        String id = backup.json().get("snapshot").asText().substring(0, 8);
        assertThat(lifeboat.ok("snapshots", "--json").json()).hasSize(1);
        assertThat(backup.json().get("copies").get(0).get("error").asText())
                .isEqualTo("there is no repository at '" + nowhere + "'");
        assertThat(backup.errLines()).containsExactly(
                "lifeboat: snapshot " + id + " is saved, but copying it to '" + nowhere + "' failed: there is no "
                        + "repository at '" + nowhere + "'",
                "HINT: create it first with 'lifeboat init --repo " + nowhere + "'; then run 'lifeboat copy --to "
                        + nowhere + " " + id + "'");
    }

    @Test
    void copyToAndNoCopyExcludeEachOther() {
        LifeboatCli lifeboat = new LifeboatCli(dir.resolve("primary"));
        lifeboat.ok("init");

        LifeboatCli.Run backup = lifeboat.run("backup", "--no-copy", "--copy-to", dir.resolve("x").toString(),
                dir.toString());

        assertThat(backup.exit()).isEqualTo(2);
        assertThat(backup.errLines()).containsExactly("lifeboat: --copy-to and --no-copy exclude each other",
                "HINT: give one of them");
        assertThat(lifeboat.ok("snapshots", "--json").json()).isEmpty();
    }
}
