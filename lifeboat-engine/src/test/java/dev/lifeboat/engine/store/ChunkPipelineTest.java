package dev.lifeboat.engine.store;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.chunker.ChunkerParams;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChunkPipelineTest {
    /** Small chunks, so that a few MiB make many of them. */
    private static final ChunkerParams PARAMS = new ChunkerParams(16 * 1024, 64 * 1024, 256 * 1024, 7);

    private final Repository repo = TestRepositories.init(new MemoryBackend());

    /** A stream of pseudo-random bytes that counts what was read from it. */
    private static final class Endless extends InputStream {
        private final SplittableRandom random = new SplittableRandom(3);
        private final long size;
        final AtomicLong read = new AtomicLong();

        Endless(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("the pipeline reads pieces");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            long left = size - read.get();
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) random.nextInt(256);
            }
            read.addAndGet(n);
            return n;
        }
    }

    /** A failed save returns before the workers finish the chunks they hold; they give them back when done. */
    private static void assertEveryBufferComesBack(ChunkPipeline pipeline) throws InterruptedException {
        for (int i = 0; i < 1000 && pipeline.freeBuffers() < ChunkPipeline.BUFFERS; i++) {
            Thread.sleep(10);
        }
        assertThat(pipeline.freeBuffers()).isEqualTo(ChunkPipeline.BUFFERS);
    }

    @Test
    void aSmallStreamIsTheBlobTheChunkerWouldCutAndAnyLongerOneGoesThroughTheChunker() throws Exception {
        try (RepoWriter writer = new RepoWriter(repo, 2);
             ChunkPipeline pipeline = new ChunkPipeline(writer, PARAMS, Progress.NONE, 2)) {
            assertThat(pipeline.smallLimit()).isEqualTo(PARAMS.minSize());
            for (int size : new int[] {0, 1, 5000, PARAMS.minSize(), PARAMS.minSize() + 1, 300_000}) {
                byte[] data = new byte[size];
                new SplittableRandom(size).nextBytes(data);
                ChunkPipeline.Saved small = pipeline.saveSmall(new ByteArrayInputStream(data));
                ChunkPipeline.Saved chunked = pipeline.save(new ByteArrayInputStream(data), null);
                assertThat(small.ids()).as("size %d", size).isEqualTo(chunked.ids());
                assertThat(small.length()).isEqualTo(size);
                assertThat(small.ids()).hasSize(size == 0 ? 0 : size <= PARAMS.minSize() ? 1 : chunked.ids().size());
            }
            // the calling thread's array is reused: the next small stream does not change the blob just saved
            byte[] first = new byte[1000];
            new SplittableRandom(1).nextBytes(first);
            ChunkPipeline.Saved one = pipeline.saveSmall(new ByteArrayInputStream(first));
            pipeline.saveSmall(new ByteArrayInputStream(new byte[2000]));
            writer.flush();
            assertThat(repo.index().contains(one.ids().get(0))).isTrue();
            assertThat(repo.loadBlob(one.ids().get(0))).isEqualTo(first);
        }
    }

    @Test
    void threadsSavingSmallStreamsAtOnceEachGetTheirOwnBlob() throws Exception {
        int threads = 4;
        int perThread = 40;
        try (RepoWriter writer = new RepoWriter(repo, 2);
             ChunkPipeline pipeline = new ChunkPipeline(writer, PARAMS, Progress.NONE, 2)) {
            List<List<byte[]>> inputs = new ArrayList<>();
            List<List<BlobId>> got = new ArrayList<>();
            List<Thread> running = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < threads; t++) {
                SplittableRandom random = new SplittableRandom(100 + t);
                List<byte[]> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    byte[] data = new byte[1 + random.nextInt(PARAMS.minSize())];
                    random.nextBytes(data);
                    mine.add(data);
                }
                List<BlobId> ids = new ArrayList<>();
                inputs.add(mine);
                got.add(ids);
                running.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (byte[] data : mine) {
                            ids.addAll(pipeline.saveSmall(new ByteArrayInputStream(data)).ids());
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }));
            }
            for (Thread t : running) {
                t.join();
            }
            assertThat(failure.get()).isNull();
            writer.flush();
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    assertThat(repo.loadBlob(got.get(t).get(i))).isEqualTo(inputs.get(t).get(i));
                }
            }
        }
    }

    @Test
    void theDigestAndTheTapSeeEveryByteInOrder() throws Exception {
        byte[] data = new byte[3 << 20];
        new SplittableRandom(5).nextBytes(data);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        MessageDigest tapped = MessageDigest.getInstance("SHA-256");
        List<String> threads = new ArrayList<>();
        try (RepoWriter writer = new RepoWriter(repo, 2);
             ChunkPipeline pipeline = new ChunkPipeline(writer, PARAMS, Progress.NONE, 2)) {
            ChunkPipeline.Saved saved = pipeline.save(new ByteArrayInputStream(data), sha, (b, off, len) -> {
                tapped.update(b, off, len);
                threads.add(Thread.currentThread().getName());
            });

            String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            assertThat(HexFormat.of().formatHex(saved.digest())).isEqualTo(expected);
            assertThat(HexFormat.of().formatHex(tapped.digest())).isEqualTo(expected);
            assertThat(saved.length()).isEqualTo(data.length);
            assertThat(saved.ids()).hasSizeGreaterThan(10);
            assertThat(threads).hasSize(saved.ids().size()).allMatch("lifeboat-digest"::equals);
            assertThat(pipeline.freeBuffers()).isEqualTo(ChunkPipeline.BUFFERS);
        }
    }

    @Test
    void aFailingTapStopsTheStreamSoonAndEveryBufferComesBack() throws Exception {
        try (RepoWriter writer = new RepoWriter(repo, 2);
             ChunkPipeline pipeline = new ChunkPipeline(writer, PARAMS, Progress.NONE, 2)) {
            Endless stream = new Endless(128L << 20);
            int[] calls = {0};

            assertThatThrownBy(() -> pipeline.save(stream, null, (b, off, len) -> {
                if (++calls[0] == 3) {
                    throw new IllegalStateException("the tap broke");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("the tap broke");

            // the reader stops at the next chunk after the failure: at most the chunks in flight were read
            assertThat(stream.read.get()).isLessThan(64L << 20);
            assertThat(calls[0]).isEqualTo(3);
            assertEveryBufferComesBack(pipeline);
            // and the pipeline serves the next stream
            assertThat(pipeline.save(new Endless(1 << 20), MessageDigest.getInstance("SHA-256"), null).length())
                    .isEqualTo(1 << 20);
        }
    }

    @Test
    void anInterruptedSaveWaitsForTheTapAndGivesEveryBufferBack() throws Exception {
        try (RepoWriter writer = new RepoWriter(repo, 2);
             ChunkPipeline pipeline = new ChunkPipeline(writer, PARAMS, Progress.NONE, 2)) {
            CountDownLatch tapEntered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            // fewer chunks than buffers, so the reading thread reaches the end of the stream and waits for the tap
            // while chunks queue behind it
            long size = 140 << 10;
            int[] chunks = {0};
            Thread saver = new Thread(() -> {
                try {
                    pipeline.save(new Endless(size), null, (b, off, len) -> {
                        chunks[0]++;
                        tapEntered.countDown();
                        // a tap that does not notice interrupts, with chunks queued behind it
                        while (true) {
                            try {
                                release.await();
                                return;
                            } catch (InterruptedException ignored) {
                                // keeps waiting
                            }
                        }
                    });
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            saver.start();
            tapEntered.await();
            saver.interrupt();
            Thread.sleep(200);
            release.countDown();
            saver.join();

            // the save either stops with the interrupt, or, when its chunks were all stored by then, completes
            // and leaves the thread interrupted
            if (thrown.get() == null) {
                assertThat(stillInterrupted).isTrue();
            } else {
                assertThat(thrown.get()).isInstanceOfSatisfying(LifeboatException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERRUPTED));
            }
            assertThat(chunks[0]).isBetween(2, ChunkPipeline.BUFFERS - 1);
            assertEveryBufferComesBack(pipeline);
        }
    }
}
