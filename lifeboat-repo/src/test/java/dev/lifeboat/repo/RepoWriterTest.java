package dev.lifeboat.repo;

import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectInfo;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.index.IndexFile;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.pack.PackHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class RepoWriterTest {
    private MemoryBackend backend;
    private Repository repo;
    private RepoWriter writer;

    @BeforeEach
    void initRepository() {
        backend = new MemoryBackend();
        repo = TestRepositories.init(backend, TestRepositories.smallPacks());
        writer = new RepoWriter(repo, 2);
    }

    @AfterEach
    void closeWriter() {
        writer.close();
    }

    @Test
    void aBlobSavedTwiceIsStoredOnce() {
        byte[] blob = TestBytes.random(1, 5000);

        BlobId first = writer.save(BlobType.DATA, blob);
        BlobId second = writer.save(BlobType.DATA, blob.clone());
        writer.flush();

        assertThat(second).isEqualTo(first);
        assertThat(writer.stats()).isEqualTo(new RepoWriter.Stats(1, 5000, size(ObjectKind.DATA), 1));
        assertThat(repo.index().size()).isEqualTo(1);
        assertThat(names(ObjectKind.DATA)).hasSize(1);
    }

    @Test
    void aBlobTheRepositoryHoldsIsNotStoredAgain() {
        byte[] blob = TestBytes.random(1, 5000);
        writer.save(BlobType.DATA, blob);
        writer.flush();
        Set<ObjectName> packs = names(ObjectKind.DATA);

        try (RepoWriter next = new RepoWriter(TestRepositories.open(backend), 2)) {
            next.save(BlobType.DATA, blob);
            next.flush();

            assertThat(next.stats()).isEqualTo(new RepoWriter.Stats(0, 0, 0, 0));
        }
        assertThat(names(ObjectKind.DATA)).isEqualTo(packs);
        assertThat(names(ObjectKind.INDEX)).hasSize(1);
    }

    @Test
    void blobIdIsTheKeyedHashOfThePlaintext() {
        byte[] blob = TestBytes.random(1, 100);

        assertThat(writer.save(BlobType.TREE, blob)).isEqualTo(repo.key().blobId(blob, 0, blob.length));
    }

    @Test
    void concurrentSavesOfTheSameBlobsStoreEachOnce() throws Exception {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            blobs.add(TestBytes.random(i, 1000 + i));
        }
        List<Future<List<BlobId>>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int t = 0; t < 4; t++) {
                Callable<List<BlobId>> saveAll = () -> blobs.stream().map(b -> writer.save(BlobType.DATA, b)).toList();
                results.add(pool.submit(saveAll));
            }
        }
        writer.flush();

        List<BlobId> ids = results.get(0).get();
        for (Future<List<BlobId>> r : results) {
            assertThat(r.get()).isEqualTo(ids);
        }
        assertThat(writer.stats().newBlobs()).isEqualTo(200);
        assertThat(repo.index().size()).isEqualTo(200);
        Repository reopened = TestRepositories.open(backend);
        for (int i = 0; i < blobs.size(); i++) {
            assertThat(reopened.loadBlob(ids.get(i))).isEqualTo(blobs.get(i));
        }
    }

    @Test
    void blobsSpreadOverSeveralPacksAreAllFound() {
        Map<BlobId, byte[]> blobs = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            byte[] blob = TestBytes.random(i, 100_000);
            blobs.put(writer.save(BlobType.DATA, blob), blob);
        }
        writer.flush();

        assertThat(writer.stats().packs()).isEqualTo(names(ObjectKind.DATA).size()).isGreaterThanOrEqualTo(3);
        Repository reopened = TestRepositories.open(backend);
        blobs.forEach((id, blob) -> assertThat(reopened.loadBlob(id)).isEqualTo(blob));
    }

    @Test
    void afterFlushEveryIndexedPackIsStoredAndAgreesWithTheIndex() {
        for (int i = 0; i < 40; i++) {
            writer.save(i % 4 == 0 ? BlobType.TREE : BlobType.DATA, TestBytes.random(i, 60_000));
        }
        writer.flush();

        Set<BlobId> indexed = new HashSet<>();
        for (BlobId indexId : repo.listIds(ObjectKind.INDEX)) {
            IndexFile index = IndexFile.decode(repo.loadUnpacked(ObjectKind.INDEX, indexId), "index");
            for (Map.Entry<BlobId, List<PackEntry>> pack : index.packs().entrySet()) {
                ObjectName name = new ObjectName(ObjectKind.DATA, pack.getKey().hex());
                byte[] bytes = backend.get(name);
                assertThat(Repository.sha256(bytes, 0, bytes.length)).isEqualTo(pack.getKey());
                assertThat(PackHeader.read(backend, name, repo.key())).isEqualTo(pack.getValue());
                indexed.add(pack.getKey());
            }
        }
        assertThat(indexed).isEqualTo(ids(ObjectKind.DATA));
    }

    @Test
    void flushWithNothingSavedWritesNothing() {
        writer.flush();

        assertThat(names(ObjectKind.DATA)).isEmpty();
        assertThat(names(ObjectKind.INDEX)).isEmpty();
    }

    @Test
    void savingAfterAFlushStartsNewPacks() {
        BlobId first = writer.save(BlobType.DATA, TestBytes.random(1, 100));
        writer.flush();
        BlobId second = writer.save(BlobType.DATA, TestBytes.random(2, 100));
        writer.flush();

        assertThat(names(ObjectKind.DATA)).hasSize(2);
        assertThat(names(ObjectKind.INDEX)).hasSize(2);
        Repository reopened = TestRepositories.open(backend);
        assertThat(reopened.loadBlob(first)).isEqualTo(TestBytes.random(1, 100));
        assertThat(reopened.loadBlob(second)).isEqualTo(TestBytes.random(2, 100));
    }

    private Set<ObjectName> names(ObjectKind kind) {
        Set<ObjectName> out = new HashSet<>();
        backend.list(kind, (ObjectInfo info) -> out.add(info.name()));
        return out;
    }

    private Set<BlobId> ids(ObjectKind kind) {
        return new HashSet<>(repo.listIds(kind));
    }

    private long size(ObjectKind kind) {
        long[] total = new long[1];
        backend.list(kind, info -> total[0] += info.size());
        return total[0];
    }
}
