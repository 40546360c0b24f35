package dev.lifeboat.repo;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.ForwardingBackend;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.pack.BlobType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class BlobReaderTest {
    private final MemoryBackend backend = new MemoryBackend();

    /** Blobs of 1 KiB to 600 KiB, compressible and not, spread over several 1 MiB packs. */
    private List<byte[]> blobs() {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            int size = 1024 + i * 25_000;
            blobs.add(i % 2 == 0 ? TestBytes.random(i, size) : new byte[size]);
            if (i % 2 == 1) {
                blobs.getLast()[0] = (byte) i;
            }
        }
        return blobs;
    }

    private List<BlobId> save(Repository repo, List<byte[]> blobs) {
        List<BlobId> ids = new ArrayList<>();
        try (RepoWriter writer = new RepoWriter(repo, 2)) {
            for (byte[] blob : blobs) {
                ids.add(writer.save(BlobType.DATA, blob));
            }
            writer.flush();
        }
        return ids;
    }

    /** Collects what a sink receives. */
    private static final class Collected implements BlobReader.Sink {
        final Map<BlobId, byte[]> blobs = new ConcurrentHashMap<>();
        final Map<BlobId, String> failed = new ConcurrentHashMap<>();
        final List<BlobId> given = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void blob(BlobId id, byte[] data, int length) {
            given.add(id);
            blobs.put(id, Arrays.copyOf(data, length));
        }

        @Override
        public void failed(BlobId id, LifeboatException error) {
            given.add(id);
            failed.put(id, error.getMessage());
        }
    }

    @Test
    void everyBlobAskedForIsGivenOnceWithItsPlaintextWhateverPackItIsIn() {
        Repository repo = TestRepositories.init(backend, TestRepositories.smallPacks());
        List<byte[]> blobs = blobs();
        List<BlobId> ids = save(repo, blobs);
        assertThat(repo.index().packCount()).isGreaterThan(2);
        List<BlobId> asked = new ArrayList<>(ids);
        asked.addAll(ids.subList(0, 5));
        Collected sink = new Collected();

        try (BlobReader reader = new BlobReader(repo, 3)) {
            reader.read(asked.subList(0, 10), sink);
            reader.read(asked.subList(10, asked.size()), sink);
        }

        assertThat(sink.failed).isEmpty();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(sink.blobs.get(ids.get(i))).isEqualTo(blobs.get(i));
        }
        assertThat(sink.given).hasSize(ids.size() + 5);
    }

    @Test
    void readsAreCutAtTheBackendsPreferredSizeAndABiggerBlobIsReadAlone() {
        List<long[]> reads = Collections.synchronizedList(new ArrayList<>());
        int preferred = 200_000;
        ForwardingBackend counting = new ForwardingBackend(backend) {
            @Override
            public int preferredReadSize() {
                return preferred;
            }

            @Override
            public void readRange(ObjectName name, long offset, int length, byte[] into) {
                reads.add(new long[] {offset, length});
                super.readRange(name, offset, length, into);
            }
        };
        Repository repo = TestRepositories.init(counting, TestRepositories.smallPacks());
        List<byte[]> blobs = blobs();
        List<BlobId> ids = save(repo, blobs);
        Collected sink = new Collected();
        try (BlobReader reader = new BlobReader(repo, 2)) {
            reader.read(ids, sink);
        }
        assertThat(sink.failed).isEmpty();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(sink.blobs.get(ids.get(i))).isEqualTo(blobs.get(i));
        }
        long largestBlob = blobs.stream().mapToLong(b -> b.length).max().orElseThrow();
        assertThat(largestBlob).isGreaterThan(preferred);
        // every read is within the preferred size, except one that holds a single larger blob
        for (long[] r : reads) {
            assertThat(r[1] <= preferred || r[1] <= largestBlob + 64).as("read of %d bytes", r[1]).isTrue();
        }
        assertThat(reads.stream().filter(r -> r[1] > preferred).count())
                .isLessThanOrEqualTo(blobs.stream().filter(b -> b.length > preferred - 64).count());
        assertThat(reads.size()).isGreaterThan(repo.index().packCount());
    }

    @Test
    void aLocalRepositoryIsReadInSmallerPiecesThanAnObjectStoreAndWrappersKeepThatSize() {
        assertThat(new MemoryBackend().preferredReadSize()).isEqualTo(8 << 20);
        LocalBackend local = new LocalBackend(java.nio.file.Path.of("/nonexistent-lifeboat-repo"));
        assertThat(local.preferredReadSize()).isEqualTo(2 << 20);
        assertThat(new ForwardingBackend(local).preferredReadSize()).isEqualTo(2 << 20);
    }

    @Test
    void aBlobNamedTwiceInOneReadIsGivenOnce() {
        Repository repo = TestRepositories.init(backend);
        List<BlobId> ids = save(repo, blobs().subList(0, 3));
        Collected sink = new Collected();

        try (BlobReader reader = new BlobReader(repo, 2)) {
            reader.read(List.of(ids.get(1), ids.get(0), ids.get(1), ids.get(2), ids.get(0)), sink);
        }

        assertThat(sink.given).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void damagedMissingAndUnknownBlobsAreReportedAndTheOthersStillRead() {
        Repository repo = TestRepositories.init(backend, TestRepositories.smallPacks());
        List<byte[]> blobs = blobs();
        List<BlobId> ids = save(repo, blobs);
        BlobIndex.Location damaged = repo.index().lookup(ids.get(3));
        ObjectName damagedPack = new ObjectName(ObjectKind.DATA, damaged.pack().hex());
        byte[] bytes = backend.get(damagedPack);
        bytes[damaged.entry().offset() + 20] ^= 1;
        backend.corrupt(damagedPack, bytes);
        BlobIndex.Location lost = repo.index().lookup(ids.getLast());
        backend.delete(new ObjectName(ObjectKind.DATA, lost.pack().hex()));
        BlobId unknown = TestBytes.id(9);
        List<BlobId> asked = new ArrayList<>(ids);
        asked.add(unknown);
        Collected sink = new Collected();

        try (BlobReader reader = new BlobReader(repo, 2)) {
            reader.read(asked, sink);
        }

        assertThat(sink.failed).containsEntry(ids.get(3), "blob '" + ids.get(3).shortHex() + "' in pack '"
                + damaged.pack().shortHex() + "' failed authentication (damaged or written with another key)");
        assertThat(sink.failed).containsEntry(ids.getLast(), "pack '" + lost.pack().shortHex() + "' holding blob '"
                + ids.getLast().shortHex() + "' is missing");
        assertThat(sink.failed).containsEntry(unknown, "blob '" + unknown.shortHex()
                + "' is not in the index (data is missing)");
        for (int i = 0; i < ids.size(); i++) {
            if (!sink.failed.containsKey(ids.get(i))) {
                assertThat(sink.blobs.get(ids.get(i))).isEqualTo(blobs.get(i));
            }
        }
        assertThat(sink.given).hasSize(asked.size());
    }

    @Test
    void anExceptionOfTheSinkStopsTheReadingAndIsRethrownByClose() {
        Repository repo = TestRepositories.init(backend, TestRepositories.smallPacks());
        List<BlobId> ids = save(repo, blobs());
        BlobReader reader = new BlobReader(repo, 2);

        // a worker may fail before read has queued everything: read then stops at once with the same exception
        Throwable early = catchThrowable(() -> reader.read(ids, new BlobReader.Sink() {
            @Override
            public void blob(BlobId id, byte[] data, int length) {
                throw new IllegalStateException("disk full");
            }

            @Override
            public void failed(BlobId id, LifeboatException error) {
            }
        }));

        if (early != null) {
            assertThat(early).isInstanceOf(IllegalStateException.class).hasMessage("disk full");
        }
        assertThatThrownBy(reader::close).isInstanceOf(IllegalStateException.class).hasMessage("disk full");
    }

    @Test
    void inOrderGivesTheBlobsInTheOrderOfTheList() {
        Repository repo = TestRepositories.init(backend, TestRepositories.smallPacks());
        List<byte[]> blobs = blobs();
        List<BlobId> ids = save(repo, blobs);
        List<BlobId> order = new ArrayList<>(ids.reversed());
        order.add(ids.get(2));
        List<byte[]> read = new ArrayList<>();

        try (BlobReader reader = new BlobReader(repo, 2)) {
            reader.inOrder(order).forEach(read::add);
        }

        assertThat(read).hasSize(order.size());
        for (int i = 0; i < order.size(); i++) {
            assertThat(read.get(i)).isEqualTo(blobs.get(ids.indexOf(order.get(i))));
        }
    }

    @Test
    void inOrderThrowsTheErrorOfABlobThatCannotBeRead() {
        Repository repo = TestRepositories.init(backend);
        List<BlobId> ids = save(repo, blobs().subList(0, 2));
        BlobId unknown = TestBytes.id(9);

        try (BlobReader reader = new BlobReader(repo, 2)) {
            var blobs = reader.inOrder(List.of(ids.get(0), unknown, ids.get(1))).iterator();
            assertThat(blobs.next()).isNotEmpty();
            assertFails(blobs::next, ErrorCode.INTEGRITY)
                    .hasMessage("blob '" + unknown.shortHex() + "' is not in the index (data is missing)");
        }
    }
}
