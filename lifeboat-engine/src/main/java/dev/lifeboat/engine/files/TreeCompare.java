package dev.lifeboat.engine.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Compares two directory trees byte for byte and by metadata (type, mode, owner, mtime of files and
 * symlinks, symlink targets): the proof a restore is exact.
 */
public final class TreeCompare {
    private TreeCompare() {
    }

    /** The differences, one line each; empty when the trees are identical. */
    public static List<String> differences(Path expected, Path actual, boolean compareOwners) throws IOException {
        Map<String, Path> a = list(expected);
        Map<String, Path> b = list(actual);
        List<String> out = new ArrayList<>();
        for (var e : a.entrySet()) {
            Path other = b.get(e.getKey());
            if (other == null) {
                out.add("missing: " + e.getKey());
                continue;
            }
            compare(e.getKey(), e.getValue(), other, compareOwners, out);
        }
        for (String k : b.keySet()) {
            if (!a.containsKey(k)) {
                out.add("unexpected: " + k);
            }
        }
        return out;
    }

    private static Map<String, Path> list(Path root) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                out.put(root.relativize(dir).toString(), dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                out.put(root.relativize(file).toString(), file);
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    private static void compare(String rel, Path x, Path y, boolean owners, List<String> out) throws IOException {
        Map<String, Object> ax = Files.readAttributes(x, "unix:*", LinkOption.NOFOLLOW_LINKS);
        Map<String, Object> ay = Files.readAttributes(y, "unix:*", LinkOption.NOFOLLOW_LINKS);
        int mx = (Integer) ax.get("mode");
        int my = (Integer) ay.get("mode");
        boolean link = (Boolean) ax.get("isSymbolicLink");
        boolean dir = (Boolean) ax.get("isDirectory");
        if (((mx ^ my) & 0170000) != 0) {
            out.add("type differs: " + rel);
            return;
        }
        if (!link && (mx & 07777) != (my & 07777)) {
            out.add(String.format("mode differs: %s (%o vs %o)", rel, mx & 07777, my & 07777));
        }
        if (owners && (!Objects.equals(ax.get("uid"), ay.get("uid")) || !Objects.equals(ax.get("gid"), ay.get("gid")))) {
            out.add("owner differs: " + rel);
        }
        if (!dir && !rel.isEmpty() && !ax.get("lastModifiedTime").equals(ay.get("lastModifiedTime"))) {
            out.add("mtime differs: " + rel + " (" + ax.get("lastModifiedTime") + " vs " + ay.get("lastModifiedTime") + ")");
        }
        if (link) {
            if (!Files.readSymbolicLink(x).equals(Files.readSymbolicLink(y))) {
                out.add("symlink target differs: " + rel);
            }
        } else if (!dir && !sameContent(x, y)) {
            out.add("content differs: " + rel);
        }
    }

    private static boolean sameContent(Path x, Path y) throws IOException {
        if (Files.size(x) != Files.size(y)) {
            return false;
        }
        try (InputStream a = Files.newInputStream(x); InputStream b = Files.newInputStream(y)) {
            byte[] ba = new byte[1 << 16];
            byte[] bb = new byte[1 << 16];
            while (true) {
                int na = a.readNBytes(ba, 0, ba.length);
                int nb = b.readNBytes(bb, 0, bb.length);
                if (na != nb || !Arrays.equals(ba, 0, na, bb, 0, nb)) {
                    return false;
                }
                if (na == 0) {
                    return true;
                }
            }
        }
    }
}
