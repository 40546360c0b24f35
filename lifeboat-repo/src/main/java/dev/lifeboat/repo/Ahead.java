package dev.lifeboat.repo;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs an iterator on a thread of its own, a few batches ahead of the one who consumes it: a tree stream
 * is read from the repository, decrypted and parsed while the walk or restore that needs it does its own
 * work. Elements pass in batches, since handing each one over would wake a thread per element. What the
 * source throws is thrown by {@link #hasNext} where the failed element would have come. {@link #close}
 * stops the thread within a fraction of a second; it is never interrupted, so a file channel it reads is
 * not closed under it.
 */
public final class Ahead<T> implements Iterator<T>, AutoCloseable {
    private static final Object END = new Object();
    private static final long POLL_MILLIS = 50;

    private record Failure(Throwable error) {
    }

    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private volatile boolean closed;
    private Iterator<T> batch = Collections.emptyIterator();
    private boolean ended;

    /** Starts reading {@code source} in batches of {@code batchSize}, at most {@code batches} of them ahead. */
    public Ahead(Iterator<T> source, int batchSize, int batches, String threadName) {
        this.queue = new ArrayBlockingQueue<>(batches);
        this.thread = new Thread(() -> fill(source, batchSize), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void fill(Iterator<T> source, int batchSize) {
        Object last = END;
        List<T> next = new ArrayList<>(batchSize);
        try {
            while (source.hasNext()) {
                next.add(source.next());
                if (next.size() == batchSize) {
                    if (!offer(next)) {
                        return;
                    }
                    next = new ArrayList<>(batchSize);
                }
            }
        } catch (RuntimeException | Error e) {
            last = new Failure(e);
        }
        // the elements before a failure come first
        if (!next.isEmpty() && !offer(next)) {
            return;
        }
        offer(last);
    }

    /** Puts one item, waiting for room; false when the consumer closed this. */
    private boolean offer(Object item) {
        try {
            while (!closed) {
                if (queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean hasNext() {
        while (!batch.hasNext()) {
            if (ended) {
                return false;
            }
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted");
            }
            if (item == END) {
                ended = true;
                return false;
            }
            if (item instanceof Failure f) {
                ended = true;
                Futures.rethrow(f.error());
            }
            batch = ((List<T>) item).iterator();
        }
        return true;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return batch.next();
    }

    @Override
    public void close() {
        closed = true;
        queue.clear();
    }
}
