package dev.lifeboat.repo.backend;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

/** The retry wrapper keeps the contract and retries exactly what may pass when tried again. */
class RetryingBackendTest extends BackendContractTest {
    private final List<Duration> sleeps = new ArrayList<>();
    private final RetryingBackend.Policy policy =
            new RetryingBackend.Policy(4, Duration.ofMillis(100), Duration.ofMillis(250));

    @Override
    protected Backend newBackend() {
        return new RetryingBackend(new MemoryBackend(), policy, sleeps::add);
    }

    /** A memory backend whose next {@code failures} calls fail with the code (after doing the work if asked). */
    private static final class Flaky extends ForwardingBackend {
        final AtomicInteger failures;
        final ErrorCode code;
        final boolean afterWork;
        final AtomicInteger calls = new AtomicInteger();

        Flaky(int failures, ErrorCode code, boolean afterWork) {
            super(new MemoryBackend());
            this.failures = new AtomicInteger(failures);
            this.code = code;
            this.afterWork = afterWork;
        }

        private void maybeFail() {
            calls.incrementAndGet();
            if (failures.getAndDecrement() > 0) {
                throw new LifeboatException(code, "storage hiccup");
            }
        }

        @Override
        public void put(ObjectName name, byte[] data) {
            if (!afterWork) {
                maybeFail();
            }
            delegate.put(name, data);
            if (afterWork) {
                maybeFail();
            }
        }

        @Override
        public boolean create(ObjectName name, byte[] data) {
            if (!afterWork) {
                maybeFail();
            }
            boolean created = delegate.create(name, data);
            if (afterWork) {
                maybeFail();
            }
            return created;
        }

        @Override
        public void list(ObjectKind kind, Consumer<ObjectInfo> each) {
            delegate.list(kind, each);
            maybeFail();
        }

        /** Fills the buffer with garbage before failing, as a response cut short would. */
        @Override
        public void readRange(ObjectName name, long offset, int length, byte[] into, int at) {
            Arrays.fill(into, at, at + length, (byte) -1);
            maybeFail();
            delegate.readRange(name, offset, length, into, at);
        }
    }

    @Test
    void transientFailuresAreRetriedWithGrowingJitteredDelays() {
        Flaky flaky = new Flaky(3, ErrorCode.STORAGE_TRANSIENT, false);

        new RetryingBackend(flaky, policy, sleeps::add).put(key("k"), new byte[] {7});

        assertThat(flaky.calls).hasValue(4);
        assertThat(flaky.get(key("k"))).containsExactly(7);
        assertThat(sleeps).hasSize(3);
        assertThat(sleeps.get(0)).isBetween(Duration.ZERO, Duration.ofMillis(100));
        assertThat(sleeps.get(1)).isBetween(Duration.ZERO, Duration.ofMillis(200));
        assertThat(sleeps.get(2)).isBetween(Duration.ZERO, Duration.ofMillis(250));
    }

    @Test
    void aRangeReadRetriedAfterAFailureFillsTheCallersBufferWithTheRightBytes() {
        Flaky flaky = new Flaky(1, ErrorCode.STORAGE_TRANSIENT, false);
        flaky.delegate.put(key("k"), new byte[] {1, 2, 3, 4});
        byte[] into = new byte[2];

        new RetryingBackend(flaky, policy, sleeps::add).readRange(key("k"), 1, 2, into);

        assertThat(into).containsExactly(2, 3);
        assertThat(flaky.calls).hasValue(2);
    }

    @Test
    void permanentFailuresAreNotRetried() {
        Flaky flaky = new Flaky(1, ErrorCode.STORAGE_PERMANENT, false);

        assertFails(() -> new RetryingBackend(flaky, policy, sleeps::add).put(key("k"), new byte[1]),
                ErrorCode.STORAGE_PERMANENT).hasMessage("storage hiccup");
        assertThat(flaky.calls).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void givingUpSaysHowOftenItTriedAndThatTheWorkIsKept() {
        Flaky flaky = new Flaky(10, ErrorCode.STORAGE_TRANSIENT, false);

        assertFails(() -> new RetryingBackend(flaky, policy, sleeps::add).put(key("k"), new byte[1]),
                ErrorCode.STORAGE_TRANSIENT, "storage hiccup (gave up after 4 attempts)",
                "check the network and the storage service, then run the command again: what was stored so far is "
                        + "kept and reused");
    }

    @Test
    void aCreateWhoseResponseWasLostCountsAsCreatedWhenTheObjectHoldsItsBytes() {
        Flaky flaky = new Flaky(1, ErrorCode.STORAGE_TRANSIENT, true);
        RetryingBackend retrying = new RetryingBackend(flaky, policy, sleeps::add);

        assertThat(retrying.create(key("k"), new byte[] {1, 2})).isTrue();
        assertThat(retrying.create(key("k"), new byte[] {1, 2})).isFalse();
    }

    @Test
    void aCreateRetriedAfterAnotherWriterWonIsNotCreated() {
        Flaky flaky = new Flaky(1, ErrorCode.STORAGE_TRANSIENT, false);
        flaky.delegate.put(key("k"), new byte[] {9});

        assertThat(new RetryingBackend(flaky, policy, sleeps::add).create(key("k"), new byte[] {1})).isFalse();
    }

    @Test
    void aListingRetriedAfterAFailureReportsEachObjectOnce() {
        Flaky flaky = new Flaky(1, ErrorCode.STORAGE_TRANSIENT, false);
        flaky.delegate.put(key("a1"), new byte[1]);
        flaky.delegate.put(key("b2"), new byte[1]);
        backend = new RetryingBackend(flaky, policy, sleeps::add);

        assertThat(listed(ObjectKind.KEY)).containsOnlyKeys(key("a1"), key("b2"));
    }
}
