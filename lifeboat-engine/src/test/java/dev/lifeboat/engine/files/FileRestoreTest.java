package dev.lifeboat.engine.files;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.lifeboat.engine.files.FileTrees.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileRestoreTest {
    @TempDir
    Path dir;

    @Test
    void restoreReproducesContentModesOwnersTimesAndSymlinksExactly() throws Exception {
        Path src = dir.resolve("src");
        FileTrees.createEverything(src);
        try (Repository repo = TestRepositories.init(new LocalBackend(dir.resolve("repo")))) {
            FileBackup.Result backup = Backups.files(repo, src);
            Path target = dir.resolve("restored");

            FileRestore.Result result = Backups.restore(repo, backup.snapshot(), target);

            assertThat(result.errors()).isEmpty();
            assertThat(TreeCompare.differences(src, Backups.restored(target, src), true)).isEmpty();
            assertThat(result.files()).isEqualTo(FileTrees.regularFiles(src).size());
            assertThat(result.symlinks()).isEqualTo(5);
            assertThat(result.bytes()).isEqualTo(backup.snapshot().snapshot().summary().bytes());
            assertThat(FileTrees.entries(target)).noneMatch(p -> p.endsWith(".lifeboat-partial"));
        }
    }

    @ParameterizedTest(name = "--include {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # include             | restored files
            *.txt                 | notes.txt docs/old/notes.txt
            docs                  | docs/guide.md docs/img/logo.png docs/old/notes.txt src/docs/api.md
            {root}/docs           | docs/guide.md docs/img/logo.png docs/old/notes.txt
            {rel}/docs            | docs/guide.md docs/img/logo.png docs/old/notes.txt
            {root}/docs/*         | docs/guide.md docs/img/logo.png docs/old/notes.txt
            **/img/*.png          | docs/img/logo.png
            {root}/src/Main.java  | src/Main.java
            """)
    void restoreWithAnIncludeTakesMatchingPathsAndEverythingBelowMatchingDirectories(String include,
                                                                                    String expected) throws Exception {
        Path src = dir.resolve("src");
        for (String f : List.of("notes.txt", "docs/guide.md", "docs/img/logo.png", "docs/old/notes.txt",
                "src/Main.java", "src/docs/api.md")) {
            file(src.resolve(f), f + "\n", 0644);
        }
        String pattern = include.replace("{root}", src.toString()).replace("{rel}", Backups.nodePath(src));
        try (Repository repo = Backups.memoryRepository()) {
            SnapshotRef snapshot = Backups.files(repo, src).snapshot();
            Path target = dir.resolve("restored");

            FileRestore.Result result = Backups.restore(repo, snapshot, target, pattern);

            assertThat(result.errors()).isEmpty();
            assertThat(FileTrees.regularFiles(Backups.restored(target, src)))
                    .containsExactlyInAnyOrderElementsOf(Arrays.asList(expected.split(" ")));
        }
    }

    @Test
    void restoreWithAnIncludeThatMatchesNothingIsRefused() throws Exception {
        Path src = dir.resolve("src");
        file(src.resolve("a.txt"), "a\n", 0644);
        try (Repository repo = Backups.memoryRepository()) {
            SnapshotRef snapshot = Backups.files(repo, src).snapshot();
            String id = snapshot.id().shortHex();

            assertThatThrownBy(() -> Backups.restore(repo, snapshot, dir.resolve("restored"), "*.nothing"))
                    .isInstanceOfSatisfying(LifeboatException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                        assertThat(e.getMessage()).isEqualTo("no path in snapshot '" + id + "' matches [*.nothing]");
                        assertThat(e.hint()).isEqualTo("run 'lifeboat ls " + id + "' to see its paths");
                    });
        }
    }

    @Test
    void restoreIntoADirectoryThatIsNotEmptyIsRefused() throws Exception {
        Path src = dir.resolve("src");
        file(src.resolve("a.txt"), "a\n", 0644);
        Path target = dir.resolve("restored");
        file(target.resolve("keep.txt"), "mine\n", 0644);
        try (Repository repo = Backups.memoryRepository()) {
            SnapshotRef snapshot = Backups.files(repo, src).snapshot();

            assertThatThrownBy(() -> Backups.restore(repo, snapshot, target))
                    .isInstanceOfSatisfying(LifeboatException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
                        assertThat(e.getMessage()).isEqualTo("target '" + target + "' is not empty");
                    });
            assertThat(FileTrees.entries(target)).containsExactly("keep.txt");
        }
    }

    @Test
    void restoreFromADamagedPackNamesTheFilesItCouldNotRestoreAndWritesNoWrongOrPartialFile() throws Exception {
        Path src = dir.resolve("src");
        FileTrees.createEverything(src);
        MemoryBackend backend = new MemoryBackend();
        try (Repository repo = TestRepositories.init(backend)) {
            SnapshotRef snapshot = Backups.files(repo, src).snapshot();
            flipAByteOf(repo, backend, Backups.node(repo, snapshot, src.resolve("big.bin")).content().get(0));
            flipAByteOf(repo, backend, Backups.node(repo, snapshot, src.resolve("README.md")).content().get(0));
        }
        try (Repository repo = TestRepositories.open(backend)) {
            SnapshotRef snapshot = new SnapshotStore(repo).resolve("latest", s -> true, "");
            Path target = dir.resolve("restored");

            FileRestore.Result result = Backups.restore(repo, snapshot, target);

            assertThat(result.errors()).satisfiesExactly(
                    e -> assertThat(e).startsWith("file '" + Backups.nodePath(src.resolve("README.md"))
                            + "' not restored: "),
                    e -> assertThat(e).startsWith("file '" + Backups.nodePath(src.resolve("big.bin"))
                            + "' not restored: "));
            assertThat(TreeCompare.differences(src, Backups.restored(target, src), true))
                    .containsExactly("missing: README.md", "missing: big.bin");
            assertThat(FileTrees.entries(target)).noneMatch(p -> p.endsWith(".lifeboat-partial"));
            assertThat(result.files()).isEqualTo(FileTrees.regularFiles(src).size() - 2);
        }
    }

    @Test
    void fileNamedLikeTheTemporaryCopyOfAnotherIsRestoredIntact() throws Exception {
        Path src = dir.resolve("src");
        file(src.resolve("data"), FileTrees.random(FileTrees.BIG_SIZE, 4), 0644);
        file(src.resolve("data.lifeboat-partial"), "a user's file that happens to have this name\n", 0644);
        try (Repository repo = Backups.memoryRepository()) {
            SnapshotRef snapshot = Backups.files(repo, src).snapshot();
            Path target = dir.resolve("restored");

            FileRestore.Result result = Backups.restore(repo, snapshot, target);

            assertThat(result.errors()).isEmpty();
            assertThat(TreeCompare.differences(src, Backups.restored(target, src), true)).isEmpty();
        }
    }

    @Test
    void filesThatShareBlobsOrRepeatOneAreRestoredIntact() throws Exception {
        Path src = dir.resolve("src");
        byte[] big = FileTrees.random(FileTrees.BIG_SIZE, 5);
        byte[] twice = new byte[big.length * 2];
        System.arraycopy(big, 0, twice, 0, big.length);
        System.arraycopy(big, 0, twice, big.length, big.length);
        file(src.resolve("a/big"), big, 0644);
        file(src.resolve("b/big-copy"), big, 0600);
        file(src.resolve("b/big-twice"), twice, 0640);
        file(src.resolve("c/empty"), new byte[0], 0644);
        try (Repository repo = Backups.memoryRepository()) {
            SnapshotRef snapshot = Backups.files(repo, src).snapshot();
            Path target = dir.resolve("restored");

            FileRestore.Result result = Backups.restore(repo, snapshot, target);

            assertThat(result.errors()).isEmpty();
            assertThat(result.files()).isEqualTo(4);
            assertThat(TreeCompare.differences(src, Backups.restored(target, src), true)).isEmpty();
        }
    }

    /** Damages one blob in place: a byte in the middle of its sealed bytes in the pack. */
    private static void flipAByteOf(Repository repo, MemoryBackend backend, BlobId blob) {
        BlobIndex.Location at = repo.index().lookup(blob);
        ObjectName pack = new ObjectName(ObjectKind.DATA, at.pack().hex());
        byte[] bytes = backend.get(pack);
        bytes[at.entry().offset() + at.entry().length() / 2] ^= 0x01;
        backend.corrupt(pack, bytes);
    }
}
