package dev.lifeboat.engine.files;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reads a file's metadata (without following symlinks) into a tree node. */
final class FileMeta {
    private FileMeta() {
    }

    static Node read(Path file, String nodePath) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:*", LinkOption.NOFOLLOW_LINKS);
        boolean dir = (Boolean) a.get("isDirectory");
        boolean link = (Boolean) a.get("isSymbolicLink");
        boolean regular = (Boolean) a.get("isRegularFile");
        if (!dir && !link && !regular) {
            return null;
        }
        NodeType type = dir ? NodeType.DIR : link ? NodeType.SYMLINK : NodeType.FILE;
        int mode = ((Integer) a.get("mode")) & 07777;
        String target = link ? Files.readSymbolicLink(file).toString() : null;
        long mtime = nanos((FileTime) a.get("lastModifiedTime"));
        long ctime = nanos((FileTime) a.get("ctime"));
        long size = regular ? (Long) a.get("size") : 0;
        String user = ((UserPrincipal) a.get("owner")).getName();
        String group = ((GroupPrincipal) a.get("group")).getName();
        return new Node(nodePath, type, mode, (Integer) a.get("uid"), (Integer) a.get("gid"), user, group, mtime, size,
                target, type == NodeType.FILE ? List.<BlobId>of() : null, null,
                regular ? (Long) a.get("ino") : null, regular ? (Long) a.get("dev") : null, regular ? ctime : null);
    }

    static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    /** Whether a file is unchanged since the parent snapshot recorded it (size, times, inode). */
    static boolean unchanged(Node now, Node before) {
        return before != null && before.type() == NodeType.FILE && now.size() == before.size()
                && now.mtime() == before.mtime() && now.ctime() != null && now.ctime().equals(before.ctime())
                && now.inode() != null && now.inode().equals(before.inode())
                && now.device() != null && now.device().equals(before.device());
    }
}
