package dev.lifeboat.repo;

import dev.lifeboat.repo.chunker.Chunker;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeReader;
import dev.lifeboat.repo.snapshot.TreeWriter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Backups and restores of in-memory "files" with the repository API alone (chunk, save, tree, snapshot),
 * for tests of this module that need real snapshots without the engine.
 */
public final class TestBackups {
    private TestBackups() {
    }

    /** Stores the files (flat names) as one snapshot and returns it; the snapshot is written last. */
    public static SnapshotRef backup(Repository repo, SortedMap<String, byte[]> files, String tag) {
        try (RepoWriter writer = new RepoWriter(repo, 2)) {
            Chunker chunker = new Chunker(repo.config().chunker(), InputStream.nullInputStream());
            TreeWriter tree = new TreeWriter(writer, repo.config().chunker().forTrees());
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                List<BlobId> content = new ArrayList<>();
                chunker.reset(new ByteArrayInputStream(f.getValue()));
                for (byte[] chunk = chunker.next(); chunk != null; chunk = chunker.next()) {
                    content.add(writer.save(BlobType.DATA, chunk));
                }
                tree.add(new Node(f.getKey(), NodeType.FILE, 0644, null, null, null, null, 0, f.getValue().length,
                        null, content, null, null, null, null));
            }
            List<BlobId> treeBlobs = tree.finish();
            writer.flush();
            return new SnapshotStore(repo).save(new Snapshot(Snapshot.VERSION, Instant.now(), "files", null, "testhost",
                    "tester", List.of("/"), List.of(tag), List.of(), null, treeBlobs, null, null, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads every file of a snapshot back. */
    public static SortedMap<String, byte[]> restore(Repository repo, Snapshot snapshot) {
        SortedMap<String, byte[]> out = new TreeMap<>();
        for (Node n : TreeReader.nodes(repo, snapshot)) {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            for (BlobId id : n.content()) {
                content.writeBytes(repo.loadBlob(id));
            }
            out.put(n.path(), content.toByteArray());
        }
        return out;
    }

    /** {@code count} files of pseudo-random content; every third file is the same for every seed. */
    public static SortedMap<String, byte[]> files(int seed, int count, int size) {
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            files.put("file" + i, TestBytes.random(i % 3 == 0 ? i : 1000L * seed + i, size + i));
        }
        return files;
    }
}
