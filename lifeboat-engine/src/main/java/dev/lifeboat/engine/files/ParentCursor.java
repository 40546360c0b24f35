package dev.lifeboat.engine.files;

import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.PathOrder;

import java.util.Collections;
import java.util.Iterator;

/**
 * Walks the parent snapshot's tree alongside a new backup (both in {@link PathOrder}) so unchanged files
 * can reuse their content without being read, in memory independent of the number of files.
 */
final class ParentCursor {
    private final Iterator<Node> nodes;
    private Node current;

    ParentCursor(Iterator<Node> nodes) {
        this.nodes = nodes;
        this.current = nodes.hasNext() ? nodes.next() : null;
    }

    static ParentCursor empty() {
        return new ParentCursor(Collections.emptyIterator());
    }

    /** The parent's node at this path, or null; paths must be asked in increasing order. */
    Node find(String path) {
        while (current != null && PathOrder.INSTANCE.compare(current.path(), path) < 0) {
            current = nodes.hasNext() ? nodes.next() : null;
        }
        return current != null && current.path().equals(path) ? current : null;
    }
}
