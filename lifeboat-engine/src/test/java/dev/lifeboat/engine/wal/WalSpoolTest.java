package dev.lifeboat.engine.wal;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.wal.TestWal;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.wal.WalStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.lifeboat.engine.wal.WalArchiveTest.HISTORY;
import static dev.lifeboat.engine.wal.WalArchiveTest.S;
import static dev.lifeboat.engine.wal.WalArchiveTest.SEG;
import static dev.lifeboat.engine.wal.WalArchiveTest.SYSID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalSpoolTest {
    @TempDir
    Path dir;

    final Repository repo = TestRepositories.init(new MemoryBackend());

    @Test
    void spooledFilesAreNamedLikeRepositoryObjectsAndUploadedInOrder() {
        WalSpool spool = new WalSpool(dir);
        byte[] seg = TestWal.segment(SYSID, SEG);
        assertThat(spool.add(SEG, seg, null)).isTrue();
        assertThat(spool.add(SEG, seg, null)).as("the same file twice").isTrue();
        assertThat(spool.add("00000002.history", HISTORY, S)).isTrue();
        assertThat(spool.add(SEG + ".00000028.backup", new byte[10], S)).isFalse();
        assertThat(dir.resolve("wal").toFile().list()).containsExactlyInAnyOrder(S + "-" + SEG, S + "-00000002.history");

        List<String> pushed = new ArrayList<>();
        WalSpool.Drained d = spool.drain(new WalArchive(repo), false, listener(pushed, new ArrayList<>()));

        assertThat(d).isEqualTo(new WalSpool.Drained(2, 0, 0, List.of()));
        assertThat(pushed).as("a timeline's history file before its segments").containsExactly(SEG, "00000002.history");
        assertThat(new WalStore(repo).get(S, SEG)).isEqualTo(seg);
        assertThat(dir.resolve("wal").toFile().list()).isEmpty();
    }

    @Test
    void otherContentUnderANameStillSpooledIsRefused() {
        WalSpool spool = new WalSpool(dir);
        byte[] seg = TestWal.segment(SYSID, SEG);
        spool.add(SEG, seg, null);
        byte[] changed = seg.clone();
        changed[100] ^= 1;

        assertThatThrownBy(() -> spool.add(SEG, changed, null)).isInstanceOfSatisfying(LifeboatException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
            assertThat(e.getMessage()).isEqualTo("the spool '" + dir.toAbsolutePath() + "' already holds WAL file '"
                    + SEG + "' of cluster " + S + " with different content");
        });
    }

    @Test
    void aFileTheRepositoryRefusesStaysInTheSpool() throws Exception {
        new WalArchive(repo).push(SEG, TestWal.segment(SYSID, SEG), null, false);
        WalSpool spool = new WalSpool(dir);
        spool.add(SEG, TestWal.segment(42, SEG), null);
        List<String> failed = new ArrayList<>();

        WalSpool.Drained d = spool.drain(new WalArchive(repo), false, listener(new ArrayList<>(), failed));

        assertThat(d.failures()).containsExactly(SEG);
        assertThat(failed).containsExactly(SEG + ": CLUSTER_MISMATCH");
        assertThat(Files.exists(dir.resolve("wal").resolve("42-" + SEG))).isTrue();
    }

    private static WalSpool.Listener listener(List<String> pushed, List<String> failed) {
        return new WalSpool.Listener() {
            @Override
            public void pushed(WalArchive.Pushed p) {
                pushed.add(p.file());
            }

            @Override
            public void failed(String file, LifeboatException error) {
                failed.add(file + ": " + error.code());
            }
        };
    }
}
