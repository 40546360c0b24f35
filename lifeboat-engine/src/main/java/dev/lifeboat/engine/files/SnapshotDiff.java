package dev.lifeboat.engine.files;

import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.PathOrder;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.TreeReader;

import java.util.Iterator;
import java.util.Objects;
import java.util.function.Consumer;

/** Compares two snapshots by merging their tree streams in path order. */
public final class SnapshotDiff {
    private SnapshotDiff() {
    }

    /** How a path differs: added, removed, content modified, type changed, or only metadata changed. */
    public enum Kind {
        ADDED("+"), REMOVED("-"), MODIFIED("M"), TYPE_CHANGED("T"), METADATA("U");

        private final String symbol;

        Kind(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    /** One difference; {@code sizeDelta} is the change in bytes (new minus old). */
    public record Change(Kind kind, String path, long sizeDelta) {
    }

    public static void compare(Repository repo, Snapshot a, Snapshot b, Consumer<Change> out) {
        Iterator<Node> left = new TreeReader(repo, a.tree());
        Iterator<Node> right = new TreeReader(repo, b.tree());
        Node l = left.hasNext() ? left.next() : null;
        Node r = right.hasNext() ? right.next() : null;
        while (l != null || r != null) {
            int c = l == null ? 1 : r == null ? -1 : PathOrder.INSTANCE.compare(l.path(), r.path());
            if (c < 0) {
                out.accept(new Change(Kind.REMOVED, l.path(), -l.size()));
                l = left.hasNext() ? left.next() : null;
            } else if (c > 0) {
                out.accept(new Change(Kind.ADDED, r.path(), r.size()));
                r = right.hasNext() ? right.next() : null;
            } else {
                Kind k = kind(l, r);
                if (k != null) {
                    out.accept(new Change(k, r.path(), r.size() - l.size()));
                }
                l = left.hasNext() ? left.next() : null;
                r = right.hasNext() ? right.next() : null;
            }
        }
    }

    private static Kind kind(Node l, Node r) {
        if (l.type() != r.type()) {
            return Kind.TYPE_CHANGED;
        }
        if (!Objects.equals(l.content(), r.content()) || !Objects.equals(l.target(), r.target())) {
            return Kind.MODIFIED;
        }
        if (l.mode() != r.mode() || !Objects.equals(l.uid(), r.uid()) || !Objects.equals(l.gid(), r.gid())
                || (l.type() != dev.lifeboat.repo.snapshot.NodeType.DIR && l.mtime() != r.mtime())) {
            return Kind.METADATA;
        }
        return null;
    }
}
