package dev.lifeboat.cli;

import dev.lifeboat.engine.files.TreeCompare;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What the CLI does when the repository is damaged: find it, name it, and never restore wrong bytes. */
class CliDamageTest {
    @TempDir
    Path dir;

    Path repo;
    Path src;
    LifeboatCli lifeboat;
    String snapshot;

    @BeforeEach
    void backUpATree() throws IOException {
        repo = dir.resolve("repo");
        src = dir.resolve("src");
        Trees.file(src.resolve("victim.bin"), Trees.random(1, 700_000), "rw-r--r--");
        Trees.file(src.resolve("bystander.txt"), Trees.text(2, 50_000), "rw-r--r--");
        Trees.file(src.resolve("sub/other.txt"), Trees.text(3, 1_000), "rw-------");
        lifeboat = new LifeboatCli(repo);
        lifeboat.ok("init");
        snapshot = lifeboat.ok("backup", "--json", src.toString()).json().get("snapshot").asText();
    }

    @Test
    void checkReadDataFindsAFlippedByteAndNamesThePack() throws IOException {
        String pack = flipByteInContentOf("victim.bin");

        LifeboatCli.Run structure = lifeboat.run("check");
        assertThat(structure.exit()).as("%s", structure).isZero();
        assertThat(structure.outLines()).last().isEqualTo("no errors were found");

        LifeboatCli.Run read = lifeboat.run("check", "--read-data");
        assertThat(read.exit()).as("%s", read).isEqualTo(13);
        assertThat(read.outLines()).contains(
                "error: pack " + pack + ": content does not match its name (the file was altered or damaged)");
        assertThat(read.outLines()).anySatisfy(l -> assertThat(l).startsWith("error: pack " + pack + ": blob "));
        assertCheckFailedWithTheErrorsItListed(read);
    }

    @Test
    void restoreOfADamagedFileRestoresTheOthersAndNeverWritesWrongBytes() throws IOException {
        flipByteInContentOf("victim.bin");
        Path target = dir.resolve("restore");

        LifeboatCli.Run r = lifeboat.run("restore", snapshot, "--quiet", "--target", target.toString());

        assertThat(r.exit()).as("%s", r).isEqualTo(13);
        String victim = src.resolve("victim.bin").toString().substring(1);
        assertThat(r.errLines()).hasSize(3);
        assertThat(r.errLines().get(0)).startsWith("error: file '" + victim + "' not restored: ");
        assertThat(r.errLines().subList(1, 3)).containsExactly(
                "lifeboat: restore incomplete: 1 path(s) could not be restored; no damaged file was written",
                "HINT: run 'lifeboat check --read-data' to find every damaged object");
        Path restored = Trees.restored(target, src);
        assertThat(Trees.files(restored)).containsExactly("bystander.txt", "sub/other.txt");
        assertThat(TreeCompare.differences(src.resolve("sub"), restored.resolve("sub"), true)).isEmpty();
        assertThat(Files.readAllBytes(restored.resolve("bystander.txt")))
                .isEqualTo(Files.readAllBytes(src.resolve("bystander.txt")));
        assertThat(Trees.partialFiles(target)).isEmpty();
    }

    @Test
    void restoreWithOverwriteKeepsTheExistingFileWhenTheSnapshotCopyIsDamaged() throws IOException {
        flipByteInContentOf("victim.bin");
        Path target = dir.resolve("restore");
        Path existing = Trees.file(Trees.restored(target, src).resolve("victim.bin"), "the copy already there");

        LifeboatCli.Run r = lifeboat.run("restore", snapshot, "--quiet", "--overwrite", "--target", target.toString());

        assertThat(r.exit()).as("%s", r).isEqualTo(13);
        assertThat(Files.readString(existing)).isEqualTo("the copy already there");
        assertThat(Trees.partialFiles(target)).isEmpty();
    }

    @Test
    void checkNamesADeletedPack() throws IOException {
        String pack = packOf("victim.bin");
        Files.delete(Trees.pack(repo, pack));

        LifeboatCli.Run check = lifeboat.run("check");
        assertThat(check.exit()).as("%s", check).isEqualTo(13);
        assertThat(check.outLines()).contains("error: pack " + pack + ": named by the index but missing");
        assertCheckFailedWithTheErrorsItListed(check);
    }

    @Test
    void restoreWithAMissingPackRestoresEveryFileWhoseDataIsElsewhere() throws IOException {
        Path later = dir.resolve("later");
        Files.createDirectories(later);
        Files.copy(src.resolve("victim.bin"), later.resolve("victim.bin"));
        Trees.file(later.resolve("new.txt"), "only in the later backup");
        String laterSnapshot = lifeboat.ok("backup", "--json", later.toString()).json().get("snapshot").asText();
        String pack = packOf("victim.bin");
        Files.delete(Trees.pack(repo, pack));
        Path target = dir.resolve("restore");

        LifeboatCli.Run r = lifeboat.run("restore", laterSnapshot, "--quiet", "--target", target.toString());

        assertThat(r.exit()).as("%s", r).isEqualTo(13);
        assertThat(r.errLines().getFirst()).startsWith("error: file '" + later.resolve("victim.bin").toString().substring(1)
                + "' not restored: ");
        assertThat(Trees.files(Trees.restored(target, later))).containsExactly("new.txt");
        assertThat(Trees.partialFiles(target)).isEmpty();
    }

    @Test
    void restoreOfASnapshotWhoseTreeIsMissingIsAnIntegrityFailure() throws IOException {
        Files.delete(Trees.pack(repo, packOfTree()));
        Path target = dir.resolve("restore");

        LifeboatCli.Run r = lifeboat.run("restore", snapshot, "--quiet", "--target", target.toString());

        assertThat(r.exit()).as("%s", r).isEqualTo(13);
        assertThat(r.errLines()).hasSize(2);
        assertThat(r.errLines().get(1)).startsWith("HINT: ");
    }

    @Test
    void checkNamesATruncatedPack() throws IOException {
        String pack = packOf("victim.bin");
        try (RandomAccessFile f = new RandomAccessFile(Trees.pack(repo, pack).toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }

        LifeboatCli.Run check = lifeboat.run("check");

        assertThat(check.exit()).as("%s", check).isEqualTo(13);
        assertThat(check.outLines()).anySatisfy(l -> assertThat(l)
                .startsWith("error: pack " + pack + ": is ").endsWith("(truncated)"));
    }

    @Test
    void wrongPasswordExitsWithStatus12AndTheExactMessage() {
        lifeboat.env.put("LIFEBOAT_PASSWORD", "not the password");

        LifeboatCli.Run r = lifeboat.run("snapshots");

        assertThat(r.exit()).isEqualTo(12);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).containsExactly(
                "lifeboat: wrong password: no key of repository '" + repo + "' opens with it",
                "HINT: check LIFEBOAT_PASSWORD, BACKUP_ENCRYPTION_KEY or --password-file");
    }

    @Test
    void checkNamesADamagedSnapshot() throws IOException {
        Trees.file(src.resolve("more.txt"), "more");
        String second = lifeboat.ok("backup", "--json", src.toString()).json().get("snapshot").asText();
        flipByte(repo.resolve("snapshots").resolve(second), 40);

        LifeboatCli.Run check = lifeboat.run("check");

        assertThat(check.exit()).as("%s", check).isEqualTo(13);
        assertThat(check.outLines()).filteredOn(l -> l.startsWith("error: ")).containsExactly(
                "error: snapshot " + second.substring(0, 8) + ": 'snapshots/" + second
                        + "' does not match its name (content was altered)");
    }

    @Test
    void oneDamagedSnapshotDoesNotPreventRestoringAnother() throws IOException {
        Trees.file(src.resolve("more.txt"), "more");
        String second = lifeboat.ok("backup", "--json", src.toString()).json().get("snapshot").asText();
        flipByte(repo.resolve("snapshots").resolve(second), 40);
        Path target = dir.resolve("restore");

        LifeboatCli.Run r = lifeboat.run("restore", snapshot, "--quiet", "--target", target.toString());

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(TreeCompare.differences(src.resolve("sub"), Trees.restored(target, src).resolve("sub"), true))
                .isEmpty();
    }

    private static void assertCheckFailedWithTheErrorsItListed(LifeboatCli.Run check) {
        long errors = check.outLines().stream().filter(l -> l.startsWith("error: ")).count();
        assertThat(check.errLines()).endsWith("lifeboat: check found " + errors + " error(s)",
                "HINT: restore damaged files from another copy; snapshots not named above are intact");
    }

    /** Flips one byte in the middle of the first content blob of a file; returns the pack's id. */
    private String flipByteInContentOf(String name) throws IOException {
        BlobIndex.Location loc = locationOf(name);
        flipByte(Trees.pack(repo, loc.pack().hex()), loc.entry().offset() + loc.entry().length() / 2);
        return loc.pack().hex();
    }

    private String packOf(String name) {
        return locationOf(name).pack().hex();
    }

    private String packOfTree() {
        try (Repository r = Repository.open(new LocalBackend(repo), LifeboatCli.PASSWORD.toCharArray())) {
            SnapshotRef ref = new SnapshotStore(r).resolve(snapshot, x -> true, "");
            return r.index().lookup(ref.snapshot().tree().getFirst()).pack().hex();
        }
    }

    private BlobIndex.Location locationOf(String name) {
        try (Repository r = Repository.open(new LocalBackend(repo), LifeboatCli.PASSWORD.toCharArray())) {
            SnapshotRef ref = new SnapshotStore(r).resolve(snapshot, x -> true, "");
            String path = src.resolve(name).toString().substring(1);
            for (Node n : TreeReader.nodes(r, ref.snapshot())) {
                if (n.path().equals(path)) {
                    BlobId first = n.content().getFirst();
                    return r.index().lookup(first);
                }
            }
            throw new AssertionError("no node " + path);
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x01);
        }
    }
}
