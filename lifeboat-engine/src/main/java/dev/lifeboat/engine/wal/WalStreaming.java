package dev.lifeboat.engine.wal;

import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.wal.WalStreamer;
import dev.lifeboat.repo.Repository;

import java.time.Duration;

/**
 * Continuous WAL into the repository: a {@link WalStreamer} whose sink is the repository. Runs until
 * {@link #stop()}; what was received is then stored and confirmed before {@link #run()} returns.
 */
public final class WalStreaming {
    private final WalStreamer streamer;

    /**
     * What to stream.
     *
     * @param newCluster accept a cluster the repository holds nothing of even when it holds other clusters
     */
    public record Request(ConnectionSpec connection, String slot, Duration partialInterval, long maxSlotRetained,
                          Duration statusInterval, boolean newCluster) {
    }

    public WalStreaming(Repository repo, Request request, WalStreamer.Listener listener) {
        this.streamer = new WalStreamer(request.connection(),
                new RepositoryWalSink(repo, request.connection().display(), request.newCluster()),
                new WalStreamer.Options(request.slot(), request.partialInterval(), request.maxSlotRetained(),
                        request.statusInterval(), Duration.ofSeconds(30)), listener);
    }

    /** Streams until {@link #stop()} is called or a failure that retrying cannot fix. */
    public void run() {
        streamer.run();
    }

    /** Stops streaming gracefully; callable from any thread (a signal handler). */
    public void stop() {
        streamer.stop();
    }
}
