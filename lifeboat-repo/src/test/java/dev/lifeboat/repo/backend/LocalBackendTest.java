package dev.lifeboat.repo.backend;

import dev.lifeboat.repo.TestBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class LocalBackendTest extends BackendContractTest {
    @TempDir
    Path temp;

    private Path root;

    @Override
    protected Backend newBackend() {
        root = temp.resolve("repo");
        return new LocalBackend(root);
    }

    @Test
    void objectsLieAtTheirDocumentedPaths() {
        String pack = TestBytes.id(1).hex();

        backend.put(ObjectName.CONFIG, new byte[1]);
        backend.put(key("k1"), new byte[2]);
        backend.create(data(pack), new byte[3]);

        assertThat(root.resolve("config")).hasSize(1);
        assertThat(root.resolve("keys/k1")).hasSize(2);
        assertThat(root.resolve("data/" + pack.substring(0, 2) + "/" + pack)).hasSize(3);
    }

    @Test
    void locationIsTheAbsoluteRootFolder() {
        assertThat(backend.location()).isEqualTo(root.toAbsolutePath().normalize().toString());
    }

    @Test
    void putReplacesAnExistingFile() {
        backend.put(key("k"), new byte[] {1});

        backend.put(key("k"), new byte[] {2, 2});

        assertThat(backend.get(key("k"))).containsExactly(2, 2);
    }

    @Test
    void writesLeaveNoTemporaryFiles() throws IOException {
        backend.put(key("k"), new byte[1]);
        backend.put(key("k"), new byte[1]);
        backend.create(data("ab12"), new byte[1]);
        backend.create(data("ab12"), new byte[2]);

        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp-"));
        }
    }

    @Test
    void listIgnoresTemporaryFilesLeftByACrash() throws IOException {
        backend.put(key("k1"), new byte[1]);
        backend.put(data("ab12"), new byte[1]);
        Files.write(root.resolve("keys/.tmp-3f2a-k2"), new byte[1]);
        Files.write(root.resolve("data/ab/.tmp-3f2a-ab34"), new byte[1]);

        assertThat(listed(ObjectKind.KEY)).containsOnlyKeys(key("k1"));
        assertThat(listed(ObjectKind.DATA)).containsOnlyKeys(data("ab12"));
    }

    @Test
    void listIgnoresFilesThatAreNotObjects() throws IOException {
        backend.put(key("k1"), new byte[1]);
        backend.put(data("ab12"), new byte[1]);
        Files.write(root.resolve("keys/not an object"), new byte[1]);
        Files.write(root.resolve("data/stray-file-outside-the-fan-out"), new byte[1]);

        assertThat(listed(ObjectKind.KEY)).containsOnlyKeys(key("k1"));
        assertThat(listed(ObjectKind.DATA)).containsOnlyKeys(data("ab12"));
    }

    @Test
    void listIgnoresFoldersInsideAKindFolder() throws IOException {
        backend.put(key("k1"), new byte[1]);
        backend.put(data("ab12"), new byte[1]);
        Files.createDirectories(root.resolve("keys/a-folder"));
        Files.createDirectories(root.resolve("data/ab/ab-folder"));

        assertThat(listed(ObjectKind.KEY)).containsOnlyKeys(key("k1"));
        assertThat(listed(ObjectKind.DATA)).containsOnlyKeys(data("ab12"));
    }

    @Test
    void aFolderIsNotAnObject() throws IOException {
        Files.createDirectories(root.resolve("config"));

        assertThat(backend.exists(ObjectName.CONFIG)).isFalse();
        assertThat(backend.isInitialized()).isFalse();
    }
}
