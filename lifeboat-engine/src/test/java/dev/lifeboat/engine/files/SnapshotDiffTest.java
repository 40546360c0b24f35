package dev.lifeboat.engine.files;

import dev.lifeboat.engine.files.SnapshotDiff.Change;
import dev.lifeboat.engine.files.SnapshotDiff.Kind;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.lifeboat.engine.files.FileTrees.file;
import static org.assertj.core.api.Assertions.assertThat;

class SnapshotDiffTest {
    @TempDir
    Path dir;

    @Test
    void diffListsEveryAddedRemovedModifiedRetypedAndMetadataChangeInTreeOrder() throws Exception {
        Path root = dir.resolve("app");
        file(root.resolve("keep.txt"), "same\n", 0644);
        file(root.resolve("edit.txt"), "before\n", 0644);
        file(root.resolve("gone.txt"), "going away\n", 0644);
        file(root.resolve("chmod.sh"), "#!/bin/sh\n", 0644);
        file(root.resolve("touch.txt"), "touched\n", 0644);
        file(root.resolve("owner.txt"), "given away\n", 0644);
        file(root.resolve("becomes-dir"), "a file for now\n", 0644);
        file(root.resolve("dir/inner.txt"), "inner\n", 0644);
        FileTrees.symlink(root.resolve("link"), "keep.txt");
        FileTrees.stampTimes(root);
        try (Repository repo = Backups.memoryRepository()) {
            SnapshotRef before = Backups.files(repo, root).snapshot();
            file(root.resolve("edit.txt"), "after, and longer\n", 0644);
            Files.delete(root.resolve("gone.txt"));
            file(root.resolve("new.txt"), "new\n", 0644);
            file(root.resolve("newdir/f.txt"), "f\n", 0644);
            FileTrees.mode(root.resolve("chmod.sh"), 0755);
            FileTrees.mtime(root.resolve("touch.txt"), Instant.parse("2025-05-05T05:05:05.000000005Z"));
            FileTrees.owner(root.resolve("owner.txt"), FileTrees.OTHER_UID, FileTrees.OTHER_GID);
            Files.delete(root.resolve("becomes-dir"));
            file(root.resolve("becomes-dir/child.txt"), "child\n", 0644);
            FileTrees.mode(root.resolve("dir"), 0700);
            Files.delete(root.resolve("link"));
            FileTrees.symlink(root.resolve("link"), "edit.txt");
            SnapshotRef after = Backups.files(repo, root).snapshot();

            List<Change> changes = new ArrayList<>();
            SnapshotDiff.compare(repo, before.snapshot(), after.snapshot(), changes::add);

            String p = Backups.nodePath(root) + "/";
            assertThat(changes).containsExactly(
                    new Change(Kind.TYPE_CHANGED, p + "becomes-dir", -15),
                    new Change(Kind.ADDED, p + "becomes-dir/child.txt", 6),
                    new Change(Kind.METADATA, p + "chmod.sh", 0),
                    new Change(Kind.METADATA, p + "dir", 0),
                    new Change(Kind.MODIFIED, p + "edit.txt", 11),
                    new Change(Kind.REMOVED, p + "gone.txt", -11),
                    new Change(Kind.MODIFIED, p + "link", 0),
                    new Change(Kind.ADDED, p + "new.txt", 4),
                    new Change(Kind.ADDED, p + "newdir", 0),
                    new Change(Kind.ADDED, p + "newdir/f.txt", 2),
                    new Change(Kind.METADATA, p + "owner.txt", 0),
                    new Change(Kind.METADATA, p + "touch.txt", 0));
        }
    }

    @Test
    void snapshotsOfAnUnchangedTreeHaveNoDifference() throws Exception {
        Path root = dir.resolve("app");
        FileTrees.createEverything(root);
        try (Repository repo = Backups.memoryRepository()) {
            SnapshotRef first = Backups.files(repo, root).snapshot();
            // a file read again (new ctime) with the same content is no change
            FileTrees.mode(root.resolve("README.md"), 0644);
            SnapshotRef second = Backups.files(repo, root).snapshot();

            List<Change> changes = new ArrayList<>();
            SnapshotDiff.compare(repo, first.snapshot(), second.snapshot(), changes::add);

            assertThat(changes).isEmpty();
        }
    }

    @Test
    void kindsHaveTheSymbolsTheDiffCommandPrints() {
        assertThat(Kind.values()).extracting(Kind::symbol).containsExactly("+", "-", "M", "T", "U");
    }
}
