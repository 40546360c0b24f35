package dev.lifeboat.repo;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.check.Checker;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A repository written by format version 1 (lifeboat backup of a small tree), checked in: every later
 * Lifeboat must keep reading it exactly. If this fails, the format changed: bump the version instead.
 */
class FixtureRepositoryTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixture-v1");
    private static final char[] PASSWORD = "fixture-password".toCharArray();

    @Test
    void fixtureRepositoryOpensAndRestoresItsSnapshotExactly() throws Exception {
        try (Repository repo = Repository.open(new LocalBackend(FIXTURE), PASSWORD)) {
            assertThat(repo.config().version()).isEqualTo(1);
            assertThat(repo.config().id()).startsWith("f9d9608f");
            List<SnapshotRef> snapshots = new SnapshotStore(repo).list();
            assertThat(snapshots).hasSize(1);
            SnapshotRef ref = snapshots.get(0);
            assertThat(ref.id().hex()).startsWith("0ad787e7");
            assertThat(ref.snapshot().tags()).containsExactly("fixture");
            assertThat(ref.snapshot().type()).isEqualTo("files");
            assertThat(ref.snapshot().paths()).containsExactly("/tmp/fxsrc/app");

            Map<String, Node> nodes = new LinkedHashMap<>();
            for (Node n : TreeReader.nodes(repo, ref.snapshot())) {
                nodes.put(n.path(), n);
            }
            assertThat(nodes.keySet()).containsExactly("tmp", "tmp/fxsrc", "tmp/fxsrc/app", "tmp/fxsrc/app/empty",
                    "tmp/fxsrc/app/hello.txt", "tmp/fxsrc/app/link", "tmp/fxsrc/app/sub", "tmp/fxsrc/app/sub/data.bin",
                    "tmp/fxsrc/app/sub/text.txt");
            Node hello = nodes.get("tmp/fxsrc/app/hello.txt");
            assertThat(hello.mode()).isEqualTo(0600);
            assertThat(Instant.ofEpochSecond(0, hello.mtime())).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
            assertThat(new String(content(repo, hello))).isEqualTo("hello lifeboat\n");
            assertThat(nodes.get("tmp/fxsrc/app/link").type()).isEqualTo(NodeType.SYMLINK);
            assertThat(nodes.get("tmp/fxsrc/app/link").target()).isEqualTo("hello.txt");
            assertThat(sha256(content(repo, nodes.get("tmp/fxsrc/app/sub/data.bin"))))
                    .isEqualTo("efff47644a4494e0be421d1e8c384448b3cd70f9211515690fa46a73f5e0bfd1");
            assertThat(sha256(content(repo, nodes.get("tmp/fxsrc/app/sub/text.txt"))))
                    .isEqualTo("d2f3fa09e50b2c6e7fddb9c61d26c30e09488bb26d6593283bec00cf9998b953");

            Checker.Report report = new Checker(repo, Progress.NONE).run(1.0);
            assertThat(report.errors()).isEmpty();
            assertThat(report.packsRead()).isEqualTo(report.packs());
        }
    }

    @Test
    void fixtureRepositoryRefusesAWrongPassword() {
        assertThatThrownBy(() -> Repository.open(new LocalBackend(FIXTURE), "wrong".toCharArray()))
                .isInstanceOf(LifeboatException.class)
                .hasMessage("wrong password: no key of repository '" + FIXTURE.toAbsolutePath().normalize()
                        + "' opens with it")
                .extracting(e -> ((LifeboatException) e).code()).isEqualTo(ErrorCode.WRONG_PASSWORD);
    }

    private static byte[] content(Repository repo, Node n) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (BlobId id : new ArrayList<>(n.content())) {
            out.write(repo.loadBlob(id));
        }
        assertThat(out.size()).isEqualTo(n.size());
        return out.toByteArray();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
