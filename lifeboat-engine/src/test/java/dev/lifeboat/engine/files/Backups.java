package dev.lifeboat.engine.files;

import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.TreeReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs file backups and restores with the options a test does not vary. */
final class Backups {
    private Backups() {
    }

    static Repository memoryRepository() {
        return TestRepositories.init(new MemoryBackend());
    }

    /** A 'files' backup without excludes, using the parent snapshot if there is one. */
    static FileBackup.Result files(Repository repo, Path... paths) {
        return backup(repo, SourceType.FILES, List.of(), List.of(), paths);
    }

    static FileBackup.Result backup(Repository repo, SourceType type, List<String> excludes, List<String> includes,
                                    Path... paths) {
        return new FileBackup(repo, Progress.NONE).run(new FileBackup.Request(type, Arrays.asList(paths), excludes,
                includes, List.of(), null, true, 30));
    }

    static FileRestore.Result restore(Repository repo, SnapshotRef snapshot, Path target, String... includes) {
        return new FileRestore(repo, Progress.NONE).run(new FileRestore.Request(snapshot, target, List.of(includes),
                false));
    }

    /** Where a restore into target puts the source path: below target, at the source's absolute path. */
    static Path restored(Path target, Path source) {
        return target.resolve(nodePath(source));
    }

    /** The tree path of an absolute file: the absolute path without its leading '/'. */
    static String nodePath(Path absolute) {
        return absolute.toAbsolutePath().toString().substring(1);
    }

    /** The paths of the snapshot's nodes below root, relative to it, in tree order; "" is root itself. */
    static List<String> pathsBelow(Repository repo, SnapshotRef snapshot, Path root) {
        String prefix = nodePath(root);
        List<String> out = new ArrayList<>();
        for (Node n : TreeReader.nodes(repo, snapshot.snapshot())) {
            if (n.path().equals(prefix)) {
                out.add("");
            } else if (n.path().startsWith(prefix + "/")) {
                out.add(n.path().substring(prefix.length() + 1));
            }
        }
        return out;
    }

    /** Every node path of the snapshot, in tree order. */
    static List<String> paths(Repository repo, SnapshotRef snapshot) {
        List<String> out = new ArrayList<>();
        TreeReader.nodes(repo, snapshot.snapshot()).forEach(n -> out.add(n.path()));
        return out;
    }

    static Node node(Repository repo, SnapshotRef snapshot, Path file) {
        String path = nodePath(file);
        for (Node n : TreeReader.nodes(repo, snapshot.snapshot())) {
            if (n.path().equals(path)) {
                return n;
            }
        }
        throw new AssertionError("no node '" + path + "' in the snapshot");
    }
}
