package dev.lifeboat.engine.files;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.NodeType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Reads a file's metadata (without following symlinks) into a tree node. */
final class FileMeta {
    private FileMeta() {
    }

    private static final String ATTRIBUTES =
            "unix:mode,ino,dev,uid,gid,ctime,size,lastModifiedTime,isDirectory,isSymbolicLink,isRegularFile";
    /** uid and gid to name: resolving a name per file costs a passwd lookup each time. */
    private static final Map<Integer, String> USERS = new ConcurrentHashMap<>();
    private static final Map<Integer, String> GROUPS = new ConcurrentHashMap<>();

    static Node read(Path file, String nodePath) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
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
        int uid = (Integer) a.get("uid");
        int gid = (Integer) a.get("gid");
        String user = name(USERS, uid, file, "unix:owner");
        String group = name(GROUPS, gid, file, "unix:group");
        return new Node(nodePath, type, mode, uid, gid, user, group, mtime, size,
                target, type == NodeType.FILE ? List.<BlobId>of() : null, null,
                regular ? (Long) a.get("ino") : null, regular ? (Long) a.get("dev") : null, regular ? ctime : null);
    }

    private static String name(Map<Integer, String> cache, int id, Path file, String attribute) throws IOException {
        String cached = cache.get(id);
        if (cached == null) {
            cached = ((java.security.Principal) Files.getAttribute(file, attribute, LinkOption.NOFOLLOW_LINKS)).getName();
            cache.put(id, cached);
        }
        return cached;
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
