package dev.lifeboat.engine.files;

import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ParentCursorTest {
    private static Node file(String path) {
        return new Node(path, NodeType.FILE, 0644, 0, 0, "root", "root", 0, 0, null, List.of(), null, 1L, 1L, 0L);
    }

    private static Node dir(String path) {
        return new Node(path, NodeType.DIR, 0755, 0, 0, "root", "root", 0, 0, null, null, null, null, null, null);
    }

    @Test
    void findsEachPathAskedInTreeOrderAndNullForPathsTheParentLacks() {
        List<Node> parent = List.of(dir("srv"), dir("srv/a"), file("srv/a/x"), file("srv/a-b"), file("srv/a.txt"),
                file("srv/z"));
        ParentCursor cursor = new ParentCursor(parent.iterator());

        assertThat(cursor.find("srv")).isSameAs(parent.get(0));
        assertThat(cursor.find("srv/a/new")).isNull();
        assertThat(cursor.find("srv/a/x")).isSameAs(parent.get(2));
        assertThat(cursor.find("srv/a-b")).isSameAs(parent.get(3));
        assertThat(cursor.find("srv/a.txt")).isSameAs(parent.get(4));
        assertThat(cursor.find("srv/y")).isNull();
        assertThat(cursor.find("srv/z")).isSameAs(parent.get(5));
        assertThat(cursor.find("srv/zz")).isNull();
    }

    @Test
    void skipsPathsThatWereNotAskedFor() {
        List<Node> parent = List.of(dir("a"), file("a/1"), file("a/2"), file("a/3"), file("b"));
        ParentCursor cursor = new ParentCursor(parent.iterator());

        assertThat(cursor.find("a/3")).isSameAs(parent.get(3));
        assertThat(cursor.find("b")).isSameAs(parent.get(4));
    }

    @Test
    void emptyCursorFindsNothing() {
        assertThat(ParentCursor.empty().find("a")).isNull();
    }
}
