package dev.lifeboat.engine.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Source trees for backup and restore tests, written with exact modes, owners and times. */
final class FileTrees {
    /** Every nanosecond digit set, so that a time cut to micro- or milliseconds shows. */
    static final Instant PRECISE = Instant.parse("2024-02-29T12:34:56.123456789Z");
    /** Owner ids no account on the machine has: only root can give them, and restore must put them back. */
    static final int OTHER_UID = 1234;
    static final int OTHER_GID = 2345;
    /** Above the size up to which a backup reads a file in one piece, so it is read as a stream. */
    static final int BIG_SIZE = 9 * 1024 * 1024;

    private FileTrees() {
    }

    /**
     * Writes a tree with every kind of entry a file backup stores: nested and empty directories, a setgid
     * directory, modes 0600/0640/0644/0755, files and a symlink owned by another uid and gid, a 0-byte file,
     * a 9 MiB random file, symlinks (relative, absolute, to a directory, dangling), Unicode names and names
     * whose tree order differs from plain string order. Files and symlinks get distinct nanosecond mtimes.
     */
    static void createEverything(Path root) throws IOException {
        Files.createDirectories(root);
        file(root.resolve("README.md"), "hello lifeboat\n", 0644);
        file(root.resolve("empty.txt"), "", 0644);
        file(root.resolve("big.bin"), random(BIG_SIZE, 1), 0644);
        file(root.resolve("bin/run.sh"), "#!/bin/sh\necho run\n", 0755);
        file(root.resolve("secrets/token.txt"), "s3cr3t\n", 0600);
        mode(root.resolve("secrets"), 0700);
        file(root.resolve("shared/report.csv"), "a,b\n1,2\n", 0644);
        mode(root.resolve("shared"), 02755);
        file(root.resolve("owned/data.txt"), "owned by someone else\n", 0640);
        owner(root.resolve("owned/data.txt"), OTHER_UID, OTHER_GID);
        owner(root.resolve("owned"), OTHER_UID, OTHER_GID);
        mode(root.resolve("owned"), 0750);
        file(root.resolve("nested/a/b/c/deep.txt"), "deep\n", 0644);
        Files.createDirectories(root.resolve("nested/empty-dir"));
        Files.createDirectories(root.resolve("empty"));
        file(root.resolve("données/résumé ✓.txt"), "unicode\n", 0644);
        file(root.resolve("日本語/ファイル.txt"), "日本語のテキスト\n", 0644);
        file(root.resolve("emoji 🚀.txt"), "rocket\n", 0644);
        file(root.resolve("order/a/inside.txt"), "a/\n", 0644);
        file(root.resolve("order/a-b.txt"), "a-b\n", 0644);
        file(root.resolve("order/a.txt"), "a.\n", 0644);
        Files.createDirectories(root.resolve("links"));
        symlink(root.resolve("links/to-readme"), "../README.md");
        symlink(root.resolve("links/absolute"), root.resolve("README.md").toAbsolutePath().toString());
        symlink(root.resolve("links/to-dir"), "../nested");
        symlink(root.resolve("links/dangling"), "does/not/exist");
        symlink(root.resolve("links/owned"), "../owned/data.txt");
        owner(root.resolve("links/owned"), OTHER_UID, OTHER_GID);
        stampTimes(root);
    }

    /** Writes a file (creating its parents) with the given mode. */
    static Path file(Path p, String content, int mode) throws IOException {
        return file(p, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    static Path file(Path p, byte[] content, int mode) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        mode(p, mode);
        return p;
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Sets all twelve permission bits, setuid, setgid and sticky included. */
    static void mode(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode);
    }

    static void owner(Path p, int uid, int gid) throws IOException {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    static void symlink(Path link, String target) throws IOException {
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of(target));
    }

    /** Sets a file's or symlink's mtime (not following symlinks). */
    static void mtime(Path p, Instant t) throws IOException {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(t), null, null);
    }

    /** Gives every file and symlink under root its own mtime, one millisecond and one nanosecond apart. */
    static void stampTimes(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = new ArrayList<>(s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList());
        }
        for (int i = 0; i < all.size(); i++) {
            mtime(all.get(i), PRECISE.plusNanos(i * 1_000_001L));
        }
    }

    static Instant lastAccess(Path p) throws IOException {
        return ((FileTime) Files.getAttribute(p, "lastAccessTime")).toInstant();
    }

    /** The regular files under root, relative to it, sorted. */
    static List<String> regularFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    /** Everything under root (not root itself), relative to it, sorted. */
    static List<String> entries(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
