package dev.lifeboat.repo.snapshot;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.TestBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeTest {

    static Node dir(String path) {
        return new Node(path, NodeType.DIR, 0755, 0, 0, null, null, 0, 0, null, null, null, null, null, null);
    }

    static Node file(String path, List<BlobId> content) {
        return new Node(path, NodeType.FILE, 0644, 1000, 1000, "u", "g", 1_700_000_000_000_000_000L, 10, null,
                content, null, 12L, 2049L, 1_700_000_000_000_000_001L);
    }

    @ParameterizedTest(name = "''{0}''")
    @NullAndEmptySource
    @ValueSource(strings = {"/", "/etc", "/etc/passwd", "..", "../x", "a/..", "a/../b", ".", "./a", "a/.", "a/./b",
            "a//b", "//a", "a/", "a/b/"})
    void rejectsPathsThatAreNotCleanAndRelative(String path) {
        assertThatThrownBy(() -> dir(path))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid node path '" + path + "'");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"a", "a/b", ".hidden", "a/.hidden", "..a", "a..", "a/...", "a b/c d", "ü/ß", "a\\b"})
    void acceptsCleanRelativePaths(String path) {
        assertThat(dir(path).path()).isEqualTo(path);
    }

    @ParameterizedTest(name = "''{0}'' is named ''{1}''")
    @CsvSource({"a, a", "a/b, b", "a/b/c.txt, c.txt"})
    void nameIsTheLastPathComponent(String path, String name) {
        assertThat(dir(path).name()).isEqualTo(name);
    }

    @Test
    void aNodeNeedsAType() {
        assertThatThrownBy(() -> new Node("a", null, 0, null, null, null, null, 0, 0, null, null, null, null, null,
                null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node 'a' has no type");
    }

    @Test
    void aFileNeedsAContentList() {
        assertThatThrownBy(() -> file("a", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("file node 'a' has no content list");
    }

    @Test
    void aSymlinkNeedsATarget() {
        assertThatThrownBy(() -> new Node("a", NodeType.SYMLINK, 0777, null, null, null, null, 0, 0, null, null, null,
                null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("symlink node 'a' has no target");
    }

    @Test
    void anEmptyFileHasAnEmptyContentList() {
        assertThat(file("empty", List.of()).content()).isEmpty();
    }

    @Test
    void nodeKeepsItsOwnCopyOfTheContentList() {
        List<BlobId> content = new ArrayList<>(List.of(TestBytes.id(1)));
        Node node = file("a", content);

        content.add(TestBytes.id(2));

        assertThat(node.content()).containsExactly(TestBytes.id(1));
        assertThatThrownBy(() -> node.content().add(TestBytes.id(3)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void withContentChangesOnlyTheContent() {
        Node node = file("a/b", List.of(TestBytes.id(1)));

        Node changed = node.withContent(List.of(TestBytes.id(2), TestBytes.id(3)));

        assertThat(changed.content()).containsExactly(TestBytes.id(2), TestBytes.id(3));
        assertThat(changed).usingRecursiveComparison().ignoringFields("content").isEqualTo(node);
    }
}
