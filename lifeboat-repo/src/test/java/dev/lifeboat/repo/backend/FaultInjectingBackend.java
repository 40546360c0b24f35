package dev.lifeboat.repo.backend;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Fails a share of the calls to another backend the ways storage fails: an error before the request
 * reached the storage, an error after the storage did the work (the response was lost), a timeout, and
 * for reads a body cut short that the backend did not notice. Deterministic for a seed.
 */
public class FaultInjectingBackend extends ForwardingBackend {
    /** The kinds of fault. */
    public enum Fault { ERROR_BEFORE, ERROR_AFTER, TIMEOUT, TRUNCATED_BODY }

    private final double share;
    private final Random random;
    private final Duration timeout;
    private final AtomicInteger injected = new AtomicInteger();

    /**
     * @param share   the share of calls to fail, 0 to 1
     * @param timeout how long a timing-out call hangs before it fails
     */
    public FaultInjectingBackend(Backend delegate, double share, long seed, Duration timeout) {
        super(delegate);
        this.share = share;
        this.random = new Random(seed);
        this.timeout = timeout;
    }

    /** How many faults were injected so far. */
    public int injected() {
        return injected.get();
    }

    private Fault next(boolean read) {
        synchronized (random) {
            if (random.nextDouble() >= share) {
                return null;
            }
            Fault[] kinds = Fault.values();
            Fault f = kinds[random.nextInt(read ? kinds.length : kinds.length - 1)];
            injected.incrementAndGet();
            return f;
        }
    }

    private static LifeboatException failure(String what) {
        return new LifeboatException(ErrorCode.STORAGE_TRANSIENT, "injected fault: " + what);
    }

    private <T> T call(Supplier<T> call) {
        Fault f = next(false);
        if (f == null) {
            return call.get();
        }
        switch (f) {
            case ERROR_BEFORE -> throw failure("connection refused");
            case TIMEOUT -> {
                sleep();
                throw failure("read timed out");
            }
            default -> {
                call.get();
                throw failure("connection reset after the request was sent");
            }
        }
    }

    private byte[] read(Supplier<byte[]> call) {
        Fault f = next(true);
        if (f != Fault.TRUNCATED_BODY) {
            return f == null ? call.get() : call(call);
        }
        byte[] all = call.get();
        return Arrays.copyOf(all, all.length / 2);
    }

    private void sleep() {
        try {
            Thread.sleep(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void put(ObjectName name, byte[] data) {
        call(() -> {
            delegate.put(name, data);
            return null;
        });
    }

    @Override
    public boolean create(ObjectName name, byte[] data) {
        return call(() -> delegate.create(name, data));
    }

    @Override
    public byte[] get(ObjectName name) {
        return read(() -> delegate.get(name));
    }

    @Override
    public byte[] getRange(ObjectName name, long offset, int length) {
        return read(() -> delegate.getRange(name, offset, length));
    }

    @Override
    public boolean exists(ObjectName name) {
        return call(() -> delegate.exists(name));
    }

    @Override
    public long size(ObjectName name) {
        return call(() -> delegate.size(name));
    }

    @Override
    public void delete(ObjectName name) {
        call(() -> {
            delegate.delete(name);
            return null;
        });
    }

    @Override
    public void list(ObjectKind kind, Consumer<ObjectInfo> each) {
        call(() -> {
            delegate.list(kind, each);
            return null;
        });
    }
}
