package dev.lifeboat.repo.backend;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Retries the calls of another backend that fail with a retriable error (throttling, server errors,
 * timeouts, broken connections), waiting an exponentially growing, fully jittered delay between
 * attempts. Permanent errors (access denied, no such bucket) and "not found" pass through at once.
 *
 * <p>Every backend call is idempotent except {@link #create}: when an attempt's response was lost after
 * the object was stored, the retry finds it present; it then counts as created by this call if it holds
 * exactly these bytes. A listing is collected whole before it is handed on, so that a listing restarted
 * after a failure never reports an object twice.
 */
public final class RetryingBackend extends ForwardingBackend {
    private final Policy policy;
    private final Sleeper sleeper;

    /**
     * How often and how patiently to retry.
     *
     * @param attempts  the number of attempts of one call, at least 1
     * @param baseDelay the upper bound of the first delay; it doubles with every further attempt
     * @param maxDelay  the upper bound of any delay
     */
    public record Policy(int attempts, Duration baseDelay, Duration maxDelay) {
        /** About two minutes of attempts in all before giving up. */
        public static final Policy DEFAULT = new Policy(10, Duration.ofMillis(250), Duration.ofSeconds(30));

        public Policy {
            if (attempts < 1 || baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
                throw new IllegalArgumentException("invalid retry policy");
            }
        }

        /** The delay before attempt {@code attempt + 1}: uniform in [0, min(max, base * 2^(attempt-1))]. */
        Duration delay(int attempt) {
            long cap = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 30));
            return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1));
        }
    }

    /** Waits between attempts; tests pass one that does not. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public RetryingBackend(Backend delegate) {
        this(delegate, Policy.DEFAULT, d -> Thread.sleep(d.toMillis()));
    }

    public RetryingBackend(Backend delegate, Policy policy, Sleeper sleeper) {
        super(delegate);
        this.policy = policy;
        this.sleeper = sleeper;
    }

    private <T> T retry(Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (LifeboatException e) {
                if (!e.code().retriable()) {
                    throw e;
                }
                if (attempt >= policy.attempts()) {
                    throw new LifeboatException(e.code(), e.getMessage() + " (gave up after " + attempt + " attempts)",
                            "check the network and the storage service, then run the command again: what was "
                                    + "stored so far is kept and reused", e);
                }
                pause(policy.delay(attempt));
            }
        }
    }

    private void pause(Duration d) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted");
        }
    }

    @Override
    public boolean isInitialized() {
        return retry(delegate::isInitialized);
    }

    @Override
    public void put(ObjectName name, byte[] data) {
        retry(() -> {
            delegate.put(name, data);
            return null;
        });
    }

    @Override
    public void putFile(ObjectName name, Path file) {
        retry(() -> {
            delegate.putFile(name, file);
            return null;
        });
    }

    @Override
    public boolean create(ObjectName name, byte[] data) {
        boolean[] failedBefore = {false};
        return retry(() -> {
            try {
                boolean created = delegate.create(name, data);
                return created || failedBefore[0] && Arrays.equals(delegate.get(name), data);
            } catch (LifeboatException e) {
                failedBefore[0] = true;
                throw e;
            }
        });
    }

    @Override
    public byte[] get(ObjectName name) {
        return retry(() -> delegate.get(name));
    }

    @Override
    public byte[] getRange(ObjectName name, long offset, int length) {
        return retry(() -> delegate.getRange(name, offset, length));
    }

    /** Forwards the buffer, so that S3 reads stream into it; an attempt that failed is overwritten by the next. */
    @Override
    public void readRange(ObjectName name, long offset, int length, byte[] into, int at) {
        retry(() -> {
            delegate.readRange(name, offset, length, into, at);
            return null;
        });
    }

    @Override
    public boolean exists(ObjectName name) {
        return retry(() -> delegate.exists(name));
    }

    @Override
    public long size(ObjectName name) {
        return retry(() -> delegate.size(name));
    }

    @Override
    public void delete(ObjectName name) {
        retry(() -> {
            delegate.delete(name);
            return null;
        });
    }

    @Override
    public void list(ObjectKind kind, Consumer<ObjectInfo> each) {
        List<ObjectInfo> all = retry(() -> {
            List<ObjectInfo> found = new ArrayList<>();
            delegate.list(kind, found::add);
            return found;
        });
        all.forEach(each);
    }

    @Override
    public Retention retention(ObjectName name) {
        return retry(() -> delegate.retention(name));
    }
}
