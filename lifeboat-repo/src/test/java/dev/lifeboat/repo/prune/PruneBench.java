package dev.lifeboat.repo.prune;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.RepoConfig;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBytes;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.index.IndexFile;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeWriter;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The repository generator of bench/prune-bench.sh. {@code generate DIR BLOBS} creates a synthetic repository
 * without real data: index objects naming BLOBS blobs in packs of 1000 (sparse files of the right size, holding
 * no blob bytes) and one snapshot whose real tree names every blob of each fifth pack and every fifth blob of
 * the packs after those. A prune of it deletes three packs in five and, unless it tolerates their unused
 * space, repacks one in five (which fails: the packs hold no real blobs, so only a dry run may plan that).
 */
public final class PruneBench {
    static final int PER_PACK = 1000;
    static final int SEALED = 1024 + 28;

    private PruneBench() {
    }

    static BlobId blob(long i) {
        return new BlobId(TestBytes.mix(4 * i + 1), TestBytes.mix(4 * i + 2), TestBytes.mix(4 * i + 3),
                TestBytes.mix(4 * i + 4));
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !args[0].equals("generate")) {
            throw new IllegalArgumentException("usage: PruneBench generate DIR BLOBS");
        }
        generate(Path.of(args[1]), Long.parseLong(args[2]));
    }

    static void generate(Path dir, long blobs) throws IOException {
        long t0 = System.nanoTime();
        LocalBackend backend = new LocalBackend(dir);
        Repository repo = TestRepositories.init(backend, RepoConfig.fresh());
        Map<BlobId, List<PackEntry>> pending = new LinkedHashMap<>();
        long packs = (blobs + PER_PACK - 1) / PER_PACK;
        for (long p = 0; p < packs; p++) {
            BlobId packId = blob(-1 - p);
            List<PackEntry> entries = new ArrayList<>(PER_PACK);
            for (long i = p * PER_PACK; i < Math.min(blobs, (p + 1) * PER_PACK); i++) {
                entries.add(new PackEntry(blob(i), BlobType.DATA, false, (int) (i - p * PER_PACK) * SEALED, SEALED, 1024));
            }
            pending.put(packId, entries);
            Path file = dir.resolve("data").resolve(packId.hex().substring(0, 2)).resolve(packId.hex());
            Files.createDirectories(file.getParent());
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength((long) entries.size() * SEALED + 4 + 28 + 9 + 42L * entries.size());
            }
            if (pending.size() == 64 || p == packs - 1) {
                repo.saveUnpacked(ObjectKind.INDEX, new IndexFile(List.of(), pending).encode());
                pending.clear();
            }
        }
        try (RepoWriter writer = new RepoWriter(repo, 2)) {
            TreeWriter tree = new TreeWriter(writer, repo.config().chunker().forTrees());
            List<BlobId> content = new ArrayList<>();
            int file = 0;
            for (long i = 0; i < blobs; i++) {
                long pack = i / PER_PACK;
                if (pack % 5 == 0 || pack % 5 == 1 && i % 5 == 0) {
                    content.add(blob(i));
                }
                if (content.size() == 1000 || i == blobs - 1 && !content.isEmpty()) {
                    tree.add(new Node(String.format("f%09d", file++), NodeType.FILE, 0644, null, null, null, null, 0,
                            content.size() * 1024L, null, content, null, null, null, null));
                    content.clear();
                }
            }
            List<BlobId> treeBlobs = tree.finish();
            writer.flush();
            new SnapshotStore(repo).save(new Snapshot(Snapshot.VERSION, Instant.now(), "files", null, "bench", "bench",
                    List.of("/synthetic"), List.of(), List.of(), null, treeBlobs, null, null, null));
        }
        System.out.printf("generated %d blobs in %d packs in %.1f s%n", blobs, packs, (System.nanoTime() - t0) / 1e9);
    }
}
