package dev.lifeboat.repo;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Waits for futures and rethrows what their task threw, unwrapped; stops executors without orphaned futures. */
public final class Futures {
    private Futures() {
    }

    public static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted");
        } catch (ExecutionException e) {
            rethrow(e.getCause());
            throw new IllegalStateException(e);
        }
    }

    /** Throws what a task threw as it is, a checked exception wrapped; does nothing when there is none. */
    public static void rethrow(Throwable failure) {
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * Stops an executor at once and cancels the tasks it never ran: {@code shutdownNow} only drops them, and
     * whoever waits for such a task's future would wait forever.
     */
    public static void stopNow(ExecutorService executor) {
        for (Runnable queued : executor.shutdownNow()) {
            if (queued instanceof Future<?> f) {
                f.cancel(false);
            }
        }
    }
}
