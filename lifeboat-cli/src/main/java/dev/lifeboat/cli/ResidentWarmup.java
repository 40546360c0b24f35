package dev.lifeboat.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The warm-up of a resident process before it takes commands: real commands (init, backups, restore, check)
 * run in this JVM on synthetic files in a private temporary folder, so that the JIT has compiled the chunker,
 * compression, encryption, pack and file code before the first command of a user, which would otherwise
 * run at interpreter speed for its first seconds (a first base backup of 1.5 GiB: 8.1 s instead of 5.3 s).
 *
 * <p>The commands see a minimal environment of their own (a random password, an empty configuration file),
 * never the user's repository, configuration or data, and everything they write is deleted afterwards.
 */
final class ResidentWarmup {
    /** Rounds of backup, restore and check: after two, a first base backup of 1.5 GiB took 5.3 to 6.2 s (none: 8.1 s). */
    static final int ROUNDS = 2;
    /**
     * Backups of the same files into new repositories after the rounds, each once the compiler is idle: the
     * methods called once per file or chunk reached the JIT's last tier in the warm-up instead of in the first
     * command (first 1 GiB backup of the benchmark corpus: 185 to 208 compilations and 13.2 to 13.6 CPU-s
     * against 289 to 300 and 13.8 to 14.6 CPU-s without them, 3 alternating pairs; the start about 3 s longer).
     */
    static final int PRIMING_BACKUPS = 2;
    /**
     * Folders of 100 small files each: with 5,000 files the code that runs once per file is called often enough
     * in the warm-up for the JIT's second tier (a first backup of the 20,000-file benchmark corpus: 12.3 s
     * against 15.0 s with 2,000).
     */
    private static final int DIRS = 50;
    private static final List<String> KEPT_ENV = List.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL",
            "LC_CTYPE", "TZ", "TMPDIR");
    private static final String[] WORDS = {"invoice", "payment", "customer", "order", "2026-11-22", "pending",
        "settled", "refund", "EUR", "USD", "lorem", "ipsum", "account", "balance", "ledger", "tax", "note",
        "shipment", "warehouse", "null"};

    private ResidentWarmup() {
    }

    /** What a warm-up did: its time and the commands that failed (none, normally). */
    record Result(Duration time, int commands, List<String> failures) {
    }

    /**
     * Runs the warm-up in a new private folder below {@code parent} (the system's temporary folder), and deletes
     * the folder; it needs about 180 MiB there at most.
     *
     * @throws IOException when the folder or the synthetic files cannot be written
     */
    static Result run(Path parent, Map<String, String> processEnv) throws IOException {
        long t0 = System.nanoTime();
        Path dir = Files.createTempDirectory(parent, "warm-up-");
        List<String> failures = new ArrayList<>();
        int commands = 0;
        try {
            Path src = dir.resolve("src");
            Path repo = dir.resolve("repo");
            Path config = Files.writeString(dir.resolve("lifeboat.yml"), "# the resident process's warm-up\n");
            Map<String, String> env = new HashMap<>();
            for (String name : KEPT_ENV) {
                if (processEnv.containsKey(name)) {
                    env.put(name, processEnv.get(name));
                }
            }
            byte[] secret = new byte[24];
            new java.security.SecureRandom().nextBytes(secret);
            env.put("LIFEBOAT_PASSWORD", HexFormat.of().formatHex(secret));
            env.put("LIFEBOAT_CONFIG", config.toString());
            PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
            Cli cli = new Cli(sink, sink, env, java.io.InputStream.nullInputStream(), false, true);
            Consumer<List<String>> lifeboat = args -> {
                List<String> line = new ArrayList<>(args);
                line.add("--quiet");
                int status = Main.execute(cli, line.toArray(String[]::new));
                if (status != 0) {
                    failures.add(String.join(" ", args) + ": exit status " + status);
                }
                // as after every command the process serves: each command's buffers were garbage in the old
                // generation when the next one allocated its own, and the warm-up's peak RSS was the resident
                // process's peak (178 MiB, of it 82 MiB of heap)
                System.gc();
            };
            SplittableRandom random = new SplittableRandom(20261122L);
            writeCorpus(src, random);
            String r = repo.toString();
            lifeboat.accept(List.of("init", "--repo", r));
            commands++;
            for (int round = 0; round < ROUNDS; round++) {
                if (round > 0) {
                    change(src, random);
                }
                lifeboat.accept(List.of("backup", "--repo", r, "--type", "files", src.toString()));
                lifeboat.accept(List.of("backup", "--repo", r, "--type", "files", src.toString()));
                Path target = dir.resolve("restore-" + round);
                lifeboat.accept(List.of("restore", "latest", "--repo", r, "--target", target.toString()));
                lifeboat.accept(List.of("check", "--repo", r, "--read-data"));
                lifeboat.accept(List.of("snapshots", "--repo", r));
                commands += 5;
                BaseCommand.deleteTree(target);
            }
            for (int i = 0; i < PRIMING_BACKUPS; i++) {
                awaitIdleCompiler();
                Path again = dir.resolve("repo-" + i);
                lifeboat.accept(List.of("init", "--repo", again.toString()));
                lifeboat.accept(List.of("backup", "--repo", again.toString(), "--type", "files", src.toString()));
                commands += 2;
                BaseCommand.deleteTree(again);
            }
            awaitIdleCompiler();
        } finally {
            BaseCommand.deleteTree(dir);
        }
        return new Result(Duration.ofNanos(System.nanoTime() - t0), commands, failures);
    }

    /**
     * Waits until the JIT compiled nothing for 0.2 s (at most 10 s): the methods whose compilation a busy
     * compiler queue postponed are compiled before the next backup counts their calls again.
     */
    private static void awaitIdleCompiler() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long last = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            long total = jit.getTotalCompilationTime();
            if (total == last) {
                return;
            }
            last = total;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Files of the shapes backups meet: many small text files, compressible tables, incompressible data and
     * database-like pages (about 65 MiB).
     */
    private static void writeCorpus(Path src, SplittableRandom random) throws IOException {
        for (int d = 0; d < DIRS; d++) {
            Path sub = Files.createDirectories(src.resolve("dir-" + d));
            for (int f = 0; f < 100; f++) {
                Files.write(sub.resolve("file-" + f + ".txt"), text(random, 256 + random.nextInt(4096)));
            }
        }
        // written a MiB at a time: the warm-up should not raise the process's peak memory above a real command's
        byte[] noise = new byte[1 << 20];
        for (int i = 0; i < 3; i++) {
            try (OutputStream out = Files.newOutputStream(src.resolve("table-" + i + ".csv"))) {
                for (int m = 0; m < 8; m++) {
                    out.write(text(random, 1 << 20));
                }
            }
            try (OutputStream out = Files.newOutputStream(src.resolve("noise-" + i + ".bin"))) {
                for (int m = 0; m < 4; m++) {
                    random.nextBytes(noise);
                    out.write(noise);
                }
            }
            try (OutputStream out = Files.newOutputStream(src.resolve("pages-" + i + ".dat"))) {
                for (int m = 0; m < 6; m++) {
                    out.write(pages(random, 128));
                }
            }
        }
    }

    /** Text of lines of words and numbers, which zstd compresses about four times. */
    private static byte[] text(SplittableRandom random, int size) {
        StringBuilder sb = new StringBuilder(size + 64);
        while (sb.length() < size) {
            sb.append(random.nextInt(1_000_000)).append(',').append(WORDS[random.nextInt(WORDS.length)]).append(',')
                    .append(WORDS[random.nextInt(WORDS.length)]).append(',').append(random.nextInt(100_000) / 100.0)
                    .append('\n');
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** 8 KiB pages, each a short header, a few random tuples and zeros, like a PostgreSQL heap's. */
    private static byte[] pages(SplittableRandom random, int count) {
        byte[] b = new byte[count * 8192];
        for (int p = 0; p < count; p++) {
            int off = p * 8192;
            for (int i = off; i < off + 24 + random.nextInt(2048); i++) {
                b[i] = (byte) random.nextInt(16);
            }
            for (int i = off + 4096; i < off + 8192; i++) {
                b[i] = (byte) (i % 97 == 0 ? random.nextInt(256) : ' ');
            }
        }
        return b;
    }

    /** Rewrites about a tenth of the small files and appends to a table, as between two backups. */
    private static void change(Path src, SplittableRandom random) throws IOException {
        for (int d = 0; d < DIRS; d++) {
            for (int f = random.nextInt(10); f < 100; f += 10) {
                Files.write(src.resolve("dir-" + d).resolve("file-" + f + ".txt"), text(random, 256 + random.nextInt(4096)));
            }
        }
        Files.write(src.resolve("table-0.csv"), text(random, 1 << 20), java.nio.file.StandardOpenOption.APPEND);
    }
}
