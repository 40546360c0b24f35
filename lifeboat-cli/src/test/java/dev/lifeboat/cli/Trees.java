package dev.lifeboat.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Builds source trees for backups and inspects repositories and restore targets on disk. */
final class Trees {
    private static final String[] WORDS = {"lifeboat", "backup", "restore", "snapshot", "postgres", "the", "a",
        "encrypted", "chunk", "pack", "index", "of", "to", "and", "repository", "file", "tree", "key", "data"};

    private Trees() {
    }

    /** Pseudo-random bytes that do not compress; the same seed gives the same bytes. */
    static byte[] random(long seed, int size) {
        byte[] out = new byte[size];
        new SplittableRandom(seed).nextBytes(out);
        return out;
    }

    /** Text of words and line breaks that compresses well. */
    static byte[] text(long seed, int size) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(size + 32);
        while (sb.length() < size) {
            sb.append(WORDS[r.nextInt(WORDS.length)]).append(r.nextInt(12) == 0 ? '\n' : ' ');
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes a file (creating its parents) with the given permissions, e.g. "rw-------". */
    static Path file(Path file, byte[] content, String permissions) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    static Path file(Path file, String content) throws IOException {
        return file(file, content.getBytes(StandardCharsets.UTF_8), "rw-r--r--");
    }

    /** Writes a large file in pieces, without holding it in memory. */
    static Path largeFile(Path file, long seed, long size, boolean compressible) throws IOException {
        Files.createDirectories(file.getParent());
        int piece = 1 << 20;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0, i = 0; done < size; done += piece, i++) {
                int n = (int) Math.min(piece, size - done);
                out.write(compressible ? text(seed * 1_000_003 + i, n) : random(seed * 1_000_003 + i, n));
            }
        }
        return file;
    }

    static Path dir(Path dir, String permissions) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(permissions));
        return dir;
    }

    static Path symlink(Path link, String target) throws IOException {
        Files.createDirectories(link.getParent());
        return Files.createSymbolicLink(link, Path.of(target));
    }

    /** Sets the modification time of a file, directory or symlink (not its target). */
    static void mtime(Path p, Instant time) throws IOException {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(time), null, null);
    }

    /** Where restore puts a source path: under the target, at the source's absolute path. */
    static Path restored(Path target, Path source) {
        return target.resolve(source.toAbsolutePath().toString().substring(1));
    }

    /** Every regular file under a directory, as sorted paths relative to it. */
    static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    /** Every entry under a directory (not the directory itself), as sorted paths relative to it. */
    static List<String> entries(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    /** Files restore left half written (it writes each file under a temporary name first). */
    static List<Path> partialFiles(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".lifeboat-partial")).toList();
        }
    }

    /** The path of a pack file in a local repository. */
    static Path pack(Path repo, String packHex) {
        return repo.resolve("data").resolve(packHex.substring(0, 2)).resolve(packHex);
    }
}
