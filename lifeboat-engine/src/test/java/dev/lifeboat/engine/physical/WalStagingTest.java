package dev.lifeboat.engine.physical;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.wal.TestWal;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.wal.WalStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class WalStagingTest {
    static final long SYSID = 7_312_345_678_901_234_567L;
    static final String S = Long.toUnsignedString(SYSID);
    static final String SEG = "000000010000000000000003";
    static final String NEXT = "000000010000000000000004";
    static final long SEGMENT_SIZE = 16L << 20;
    static final byte[] HISTORY = "1\t0/3000158\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8);

    final Repository repo = TestRepositories.init(new MemoryBackend());
    final WalStore store = new WalStore(repo);
    @TempDir
    Path dir;

    @Test
    void theRestoreCommandWaitsForAListedFileUntilItIsStagedAndCopiesIt() throws Exception {
        byte[] seg = TestWal.segment(SYSID, SEG);
        store.put(S, SEG, seg);
        store.put(S, "00000002.history", HISTORY);
        Map<String, String> files = new LinkedHashMap<>();
        files.put("00000002.history", "00000002.history");
        files.put(SEG, SEG);
        try (WalStaging staging = new WalStaging(dir.resolve("wal"), store, S, SEGMENT_SIZE, files, Progress.NONE)) {
            Process waiting = restore(staging, SEG, dir.resolve("RECOVERYXLOG"));
            assertThat(waiting.waitFor(300, TimeUnit.MILLISECONDS)).isFalse();

            staging.start();

            assertThat(waiting.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(waiting.exitValue()).isZero();
            assertThat(dir.resolve("RECOVERYXLOG")).hasBinaryContent(seg);
            staging.finish();
            assertThat(dir.resolve("wal").resolve("00000002.history")).hasBinaryContent(HISTORY);
        }
    }

    @Test
    void theRestoreCommandFailsAtOnceForAFileThatIsNotListed() throws Exception {
        store.put(S, SEG, TestWal.segment(SYSID, SEG));
        try (WalStaging staging = new WalStaging(dir.resolve("wal"), store, S, SEGMENT_SIZE, Map.of(SEG, SEG),
                Progress.NONE)) {
            Process next = restore(staging, NEXT, dir.resolve("RECOVERYXLOG"));
            Process history = restore(staging, "00000002.history", dir.resolve("RECOVERYHISTORY"));

            assertThat(next.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(history.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(next.exitValue()).isNotZero().isLessThan(126);
            assertThat(history.exitValue()).isNotZero().isLessThan(126);
            assertThat(dir.resolve("RECOVERYXLOG")).doesNotExist();
        }
    }

    @Test
    void aPartialSegmentIsStagedPaddedToTheSegmentSize() throws Exception {
        byte[] prefix = new byte[8192];
        prefix[0] = 42;
        store.putPartial(S, SEG, prefix);
        try (WalStaging staging = new WalStaging(dir.resolve("wal"), store, S, SEGMENT_SIZE,
                Map.of(SEG, SEG + ".partial"), Progress.NONE)) {
            staging.start().finish();
        }

        byte[] staged = Files.readAllBytes(dir.resolve("wal").resolve(SEG));
        assertThat(staged).hasSize((int) SEGMENT_SIZE);
        assertThat(staged[0]).isEqualTo((byte) 42);
        assertThat(staged[8192]).isZero();
    }

    @Test
    void whenStagingFailsTheRestoreCommandExitsWithAStatusThatStopsRecovery() throws Exception {
        Map<String, String> files = Map.of(SEG, SEG);
        try (WalStaging staging = new WalStaging(dir.resolve("wal"), store, S, SEGMENT_SIZE, files, Progress.NONE)) {
            Process waiting = restore(staging, SEG, dir.resolve("RECOVERYXLOG"));

            staging.start();

            assertThat(waiting.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(waiting.exitValue()).isEqualTo(200);
            assertThat(staging.failure()).isInstanceOfSatisfying(LifeboatException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        }
    }

    @Test
    void stagingStaysAFewFilesAheadOfTheNewestOneTheServerAskedFor() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        String name = SEG;
        for (int i = 0; i < WalStaging.AHEAD + 3; i++) {
            store.put(S, name, TestWal.segment(SYSID, name));
            files.put(name, name);
            name = "0000000100000000000000" + String.format("%02X", Integer.parseInt(name.substring(22), 16) + 1);
        }
        List<String> names = List.copyOf(files.keySet());
        Path wal = dir.resolve("wal");
        try (WalStaging staging = new WalStaging(wal, store, S, SEGMENT_SIZE, files, Progress.NONE)) {
            staging.start();
            awaitFile(wal.resolve(names.get(WalStaging.AHEAD - 1)));
            Thread.sleep(300);
            assertThat(wal.resolve(names.get(WalStaging.AHEAD))).doesNotExist();

            Process first = restore(staging, names.get(1), dir.resolve("RECOVERYXLOG"));

            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).isZero();
            awaitFile(wal.resolve(names.get(WalStaging.AHEAD + 1)));
            Thread.sleep(300);
            assertThat(wal.resolve(names.get(WalStaging.AHEAD + 2))).doesNotExist();
            staging.finish();
            assertThat(wal.resolve(names.get(WalStaging.AHEAD + 2))).exists();
        }
    }

    static void awaitFile(Path file) throws InterruptedException {
        for (int i = 0; i < 1500 && !Files.exists(file); i++) {
            Thread.sleep(20);
        }
        assertThat(file).exists();
    }

    /** Runs the restore command the way PostgreSQL does, with /bin/sh. */
    static Process restore(WalStaging staging, String file, Path to) throws Exception {
        String command = staging.restoreCommand().replace("%f", file).replace("%p", to.toString());
        return new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
