package dev.lifeboat.engine.quickstart;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;

/** Generates a small application tree (sources, assets, logs, config, a symlink, an empty directory). */
public final class SampleTree {
    private SampleTree() {
    }

    /** Writes the tree; returns its size in bytes. */
    public static long create(Path root, long seed) throws IOException {
        Random random = new Random(seed);
        long total = 0;
        Files.createDirectories(root.resolve("src/main"));
        Files.createDirectories(root.resolve("assets"));
        Files.createDirectories(root.resolve("logs"));
        Files.createDirectories(root.resolve("uploads/empty"));
        Files.createDirectories(root.resolve("node_modules/left-pad"));
        for (int i = 0; i < 300; i++) {
            Path f = root.resolve("src/main/module" + (i % 12) + "/File" + i + ".java");
            Files.createDirectories(f.getParent());
            total += write(f, text(random, 2000 + random.nextInt(30000)));
        }
        for (int i = 0; i < 5; i++) {
            byte[] b = new byte[1 << 20];
            random.nextBytes(b);
            Files.write(root.resolve("assets/image" + i + ".bin"), b);
            total += b.length;
        }
        try (OutputStream out = Files.newOutputStream(root.resolve("logs/app.log"))) {
            for (int i = 0; i < 200_000; i++) {
                byte[] line = ("2026-11-20T10:" + (i / 6000 % 60) + ":" + (i / 100 % 60) + " INFO request id=" + i
                        + " status=" + (200 + random.nextInt(3)) + " ms=" + random.nextInt(500) + "\n")
                        .getBytes(StandardCharsets.UTF_8);
                out.write(line);
                total += line.length;
            }
        }
        total += write(root.resolve(".env"), "DATABASE_URL=postgres://app@localhost/app\nSECRET_KEY=change-me\n");
        Files.setPosixFilePermissions(root.resolve(".env"), PosixFilePermissions.fromString("rw-------"));
        total += write(root.resolve("docker-compose.yml"), "services:\n  app:\n    image: app:latest\n");
        total += write(root.resolve("node_modules/left-pad/index.js"), "module.exports = () => {};\n");
        Files.createSymbolicLink(root.resolve("current.log"), Path.of("logs/app.log"));
        return total;
    }

    /** Changes the tree the way a day of work does: edits, additions, deletions. */
    public static void change(Path root, long seed) throws IOException {
        Random random = new Random(seed);
        for (int i = 0; i < 300; i += 30) {
            Path f = root.resolve("src/main/module" + (i % 12) + "/File" + i + ".java");
            Files.writeString(f, Files.readString(f) + "\n// changed\n" + text(random, 500));
        }
        for (int i = 0; i < 5; i++) {
            write(root.resolve("src/main/New" + i + ".java"), text(random, 4000));
        }
        Files.delete(root.resolve("src/main/module1/File1.java"));
        Files.writeString(root.resolve("logs/app.log"), "2026-11-21T00:00:00 INFO rotated\n",
                java.nio.file.StandardOpenOption.APPEND);
    }

    private static long write(Path p, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Files.write(p, b);
        return b.length;
    }

    private static String text(Random random, int size) {
        String[] words = {"public", "class", "return", "final", "void", "int", "String", "if", "else", "for",
            "backup", "restore", "snapshot", "repository", "chunk", "index", "=", "{", "}", ";", "(", ")"};
        StringBuilder sb = new StringBuilder(size + 16);
        while (sb.length() < size) {
            sb.append(words[random.nextInt(words.length)]).append(random.nextInt(9) == 0 ? "\n" : " ");
        }
        return sb.toString();
    }
}
