package dev.lifeboat.repo.backend;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.repo.TestBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link Backend} keeps, run against each implementation by a subclass that says how
 * to make a new, empty backend. Packaged in the test-jar so that backends of other modules run it too;
 * the test methods are protected so that such a subclass can override one, for example to disable it
 * with the reason.
 */
public abstract class BackendContractTest {
    private static final String DATA_NAME = "ab" + "0123456789".repeat(6) + "cd";

    protected Backend backend;

    /** A new, empty backend for one test; it is closed after the test. */
    protected abstract Backend newBackend() throws Exception;

    @BeforeEach
    protected void openBackend() throws Exception {
        backend = newBackend();
    }

    @AfterEach
    protected void closeBackend() {
        backend.close();
    }

    protected static ObjectName key(String name) {
        return new ObjectName(ObjectKind.KEY, name);
    }

    protected static ObjectName data(String name) {
        return new ObjectName(ObjectKind.DATA, name);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 4096, 1024 * 1024 + 3})
    protected void getReturnsWhatPutStored(int size) {
        byte[] bytes = TestBytes.random(size, size);

        backend.put(data(DATA_NAME), bytes);

        assertThat(backend.get(data(DATA_NAME))).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 4096, 1024 * 1024 + 3})
    protected void putFileStoresTheFilesBytes(int size) throws Exception {
        byte[] bytes = TestBytes.random(size, size);
        Path dir = backend.spoolDirectory() != null ? backend.spoolDirectory() : Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(dir);
        Path file = Files.createTempFile(dir, ".tmp-pack-", "");
        Files.write(file, bytes);

        backend.putFile(data(DATA_NAME), file);
        Files.deleteIfExists(file);

        assertThat(backend.get(data(DATA_NAME))).isEqualTo(bytes);
        List<String> listed = new ArrayList<>();
        backend.list(ObjectKind.DATA, info -> listed.add(info.name().name()));
        assertThat(listed).containsExactly(DATA_NAME);
    }

    @Test
    protected void putOfTheSameContentAgainIsHarmless() {
        byte[] bytes = TestBytes.random(1, 100);

        backend.put(key("k"), bytes);
        backend.put(key("k"), bytes);

        assertThat(backend.get(key("k"))).isEqualTo(bytes);
    }

    @Test
    protected void backendKeepsItsOwnCopyOfTheBytes() {
        byte[] bytes = TestBytes.random(1, 100);
        byte[] original = bytes.clone();

        backend.put(key("k"), bytes);
        bytes[0] ^= 1;
        backend.get(key("k"))[1] ^= 1;

        assertThat(backend.get(key("k"))).isEqualTo(original);
    }

    @ParameterizedTest(name = "{0}+{1}")
    @CsvSource({"0, 128", "0, 10", "100, 28", "127, 1", "128, 0", "0, 0"})
    protected void getRangeReturnsTheBytesAtTheOffset(long offset, int length) {
        byte[] bytes = TestBytes.random(2, 128);
        backend.put(data(DATA_NAME), bytes);

        assertThat(backend.getRange(data(DATA_NAME), offset, length))
                .isEqualTo(Arrays.copyOfRange(bytes, (int) offset, (int) offset + length));
    }

    @ParameterizedTest(name = "{0}+{1}")
    @CsvSource({"0, 128", "100, 28", "127, 1", "0, 0"})
    protected void readRangeFillsTheStartOfTheBufferWithTheBytesAtTheOffset(long offset, int length) {
        byte[] bytes = TestBytes.random(2, 128);
        backend.put(data(DATA_NAME), bytes);
        byte[] into = new byte[length + 5];
        Arrays.fill(into, (byte) 7);

        backend.readRange(data(DATA_NAME), offset, length, into);

        assertThat(Arrays.copyOf(into, length)).isEqualTo(Arrays.copyOfRange(bytes, (int) offset, (int) offset + length));
        assertThat(Arrays.copyOfRange(into, length, into.length)).containsOnly(7);
    }


    @ParameterizedTest(name = "{0}+{1} at {2}")
    @CsvSource({"0, 128, 3", "100, 28, 1", "127, 1, 9", "0, 0, 4", "5, 20, 0"})
    protected void readRangeAtAnIndexFillsOnlyThatPartOfTheBuffer(long offset, int length, int at) {
        byte[] bytes = TestBytes.random(2, 128);
        backend.put(data(DATA_NAME), bytes);
        byte[] into = new byte[at + length + 5];
        Arrays.fill(into, (byte) 7);

        backend.readRange(data(DATA_NAME), offset, length, into, at);

        byte[] before = new byte[at];
        Arrays.fill(before, (byte) 7);
        assertThat(Arrays.copyOf(into, at)).isEqualTo(before);
        assertThat(Arrays.copyOfRange(into, at, at + length))
                .isEqualTo(Arrays.copyOfRange(bytes, (int) offset, (int) offset + length));
        assertThat(Arrays.copyOfRange(into, at + length, into.length)).containsOnly(7);
    }
    @ParameterizedTest(name = "{0}+{1}")
    @CsvSource({"120, 16", "129, 0", "-1, 4", "0, 129"})
    protected void getRangeOutsideTheObjectFailsWithIntegrity(long offset, int length) {
        backend.put(data(DATA_NAME), TestBytes.random(2, 128));

        assertFails(() -> backend.getRange(data(DATA_NAME), offset, length), ErrorCode.INTEGRITY)
                .hasMessage("range " + offset + "+" + length + " is outside 'data/ab/" + DATA_NAME
                        + "' of 128 bytes");
    }

    @Test
    protected void createStoresTheObjectOnlyWhenAbsent() {
        byte[] first = TestBytes.random(1, 64);
        byte[] second = TestBytes.random(2, 99);

        assertThat(backend.create(key("k"), first)).isTrue();
        assertThat(backend.create(key("k"), second)).isFalse();

        assertThat(backend.get(key("k"))).isEqualTo(first);
    }

    @Test
    protected void createNeverReplacesAnObjectPutBefore() {
        byte[] first = TestBytes.random(1, 64);
        backend.put(ObjectName.CONFIG, first);

        assertThat(backend.create(ObjectName.CONFIG, TestBytes.random(2, 64))).isFalse();

        assertThat(backend.get(ObjectName.CONFIG)).isEqualTo(first);
    }

    @Test
    protected void concurrentCreatesOfOneNameHaveExactlyOneWinner() throws Exception {
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (int i = 0; i < writers; i++) {
                byte[] content = TestBytes.random(i, 1000 + i);
                Callable<Boolean> create = () -> {
                    start.await();
                    return backend.create(ObjectName.CONFIG, content);
                };
                results.add(pool.submit(create));
            }
            start.countDown();
        }

        List<Integer> winners = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            if (results.get(i).get()) {
                winners.add(i);
            }
        }
        assertThat(winners).hasSize(1);
        int winner = winners.get(0);
        assertThat(backend.get(ObjectName.CONFIG)).isEqualTo(TestBytes.random(winner, 1000 + winner));
    }

    @Test
    protected void getOfAMissingObjectThrowsObjectNotFound() {
        assertThatThrownBy(() -> backend.get(key("missing")))
                .isInstanceOfSatisfying(ObjectNotFoundException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.name()).isEqualTo(key("missing"));
                })
                .hasMessage("object 'keys/missing' does not exist");
    }

    @Test
    protected void readRangeOfAMissingObjectThrowsObjectNotFound() {
        assertThatThrownBy(() -> backend.readRange(data(DATA_NAME), 0, 1, new byte[1]))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessage("object 'data/ab/" + DATA_NAME + "' does not exist");
    }

    @Test
    protected void getRangeOfAMissingObjectThrowsObjectNotFound() {
        assertThatThrownBy(() -> backend.getRange(data(DATA_NAME), 0, 1))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessage("object 'data/ab/" + DATA_NAME + "' does not exist");
    }

    @Test
    protected void sizeOfAMissingObjectThrowsObjectNotFound() {
        assertThatThrownBy(() -> backend.size(key("missing")))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessage("object 'keys/missing' does not exist");
    }

    @Test
    protected void existsAndSizeDescribeAStoredObject() {
        assertThat(backend.exists(key("k"))).isFalse();

        backend.put(key("k"), new byte[321]);

        assertThat(backend.exists(key("k"))).isTrue();
        assertThat(backend.size(key("k"))).isEqualTo(321);
    }

    @Test
    protected void deleteRemovesTheObject() {
        backend.put(key("k"), new byte[1]);

        backend.delete(key("k"));

        assertThat(backend.exists(key("k"))).isFalse();
        assertThatThrownBy(() -> backend.get(key("k"))).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    protected void deleteOfAMissingObjectIsNotAnError() {
        backend.delete(key("missing"));
        backend.delete(data(DATA_NAME));

        assertThat(backend.exists(key("missing"))).isFalse();
    }

    @Test
    protected void aDeletedNameCanBeCreatedAgain() {
        backend.put(key("k"), new byte[1]);
        backend.delete(key("k"));

        assertThat(backend.create(key("k"), new byte[2])).isTrue();
        assertThat(backend.size(key("k"))).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(ObjectKind.class)
    protected void listFindsEveryObjectOfOneKindAndNoOther(ObjectKind kind) {
        Map<ObjectKind, Map<ObjectName, Long>> stored = new HashMap<>();
        int n = 0;
        for (ObjectKind k : ObjectKind.values()) {
            List<String> names = k == ObjectKind.CONFIG ? List.of("config") : List.of("aa01", "aa02", "7f3c", "k.1");
            for (String name : names) {
                ObjectName object = new ObjectName(k, name);
                int size = ++n * 3;
                backend.put(object, new byte[size]);
                stored.computeIfAbsent(k, x -> new HashMap<>()).put(object, (long) size);
            }
        }

        assertThat(listed(kind)).containsExactlyInAnyOrderEntriesOf(stored.get(kind));
    }

    @Test
    protected void listFindsDataObjectsInEveryFanOutFolder() {
        Map<ObjectName, Long> stored = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            ObjectName name = data(TestBytes.id(i).hex());
            backend.put(name, new byte[i]);
            stored.put(name, (long) i);
        }

        assertThat(listed(ObjectKind.DATA)).containsExactlyInAnyOrderEntriesOf(stored);
    }

    @Test
    protected void listDoesNotShowDeletedObjects() {
        backend.put(key("a1"), new byte[1]);
        backend.put(key("b2"), new byte[1]);

        backend.delete(key("a1"));

        assertThat(listed(ObjectKind.KEY)).containsOnlyKeys(key("b2"));
    }

    @ParameterizedTest
    @EnumSource(ObjectKind.class)
    protected void listOfAnEmptyBackendFindsNothing(ObjectKind kind) {
        assertThat(listed(kind)).isEmpty();
    }

    @Test
    protected void isInitializedOnceTheConfigExists() {
        assertThat(backend.isInitialized()).isFalse();

        backend.put(ObjectName.CONFIG, new byte[1]);

        assertThat(backend.isInitialized()).isTrue();
    }

    @Test
    protected void locationNamesTheRepository() {
        assertThat(backend.location()).isNotBlank();
    }

    /** Every object of the kind with its listed size. */
    protected Map<ObjectName, Long> listed(ObjectKind kind) {
        Map<ObjectName, Long> out = new HashMap<>();
        backend.list(kind, info -> assertThat(out.put(info.name(), info.size()))
                .as("'%s' listed once", info.name()).isNull());
        return out;
    }
}
