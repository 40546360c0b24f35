package dev.lifeboat.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the packaged jar must hold for every command to start fast (see lifeboat-picocli/pom.xml and the shade
 * filter in lifeboat-cli/pom.xml): picocli in class files the JVM's startup cache accepts, and zstd-jni's JNI
 * classes only. A dependency bump that brought back the released picocli jar (Java 5 class files) or zstd-jni's
 * FFM classes would cost each command 0.1 to 0.25 s and nothing else would fail.
 */
class ShippedJarIT {
    private static final Path JAR = Path.of("target", "lifeboat.jar");
    /** A copy of the jar in a folder of its own, shared by the tests: the launcher records one startup cache beside it. */
    @TempDir
    static Path installed;
    private static Path copy;

    @BeforeAll
    static void install() throws IOException {
        copy = Files.copy(JAR, installed.resolve("lifeboat.jar"));
    }

    @Test
    void picocliClassesAreNewEnoughForTheStartupCache() throws IOException {
        int classes = 0;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (JarEntry e : jar.stream().toList()) {
                if (e.getName().startsWith("picocli/") && e.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(e)) {
                        byte[] head = in.readNBytes(8);
                        int major = (head[6] & 0xff) << 8 | (head[7] & 0xff);
                        // built at the project's level (Java 21, major version 65); the startup cache refuses
                        // class files older than Java 6 (major version 50)
                        assertThat(major).as(e.getName()).isEqualTo(65);
                    }
                    classes++;
                }
            }
        }
        assertThat(classes).isGreaterThan(100);
    }

    @Test
    void zstdCallsItsLibraryThroughJni() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.getEntry("com/github/luben/zstd/ZstdCompressCtx.class")).isNotNull();
            assertThat(jar.stream().map(JarEntry::getName)
                    .filter(n -> n.startsWith("META-INF/versions/") && n.contains("/com/github/luben/")))
                    .isEmpty();
        }
    }

    /** The launcher records the startup cache beside a copy of the jar; picocli then comes from the cache. */
    @Test
    void theLauncherLoadsPicocliFromTheStartupCache(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("classes.log");
        Launched version = launch(copy, "-Xlog:class+load=info:file=" + log, "--version");
        assertThat(version.exit()).as(version.out()).isZero();
        assertThat(version.out()).containsPattern("(?m)^lifeboat \\d+\\.\\d+");
        assertThat(Files.exists(installed.resolve("lifeboat.jar.aot")) || Files.exists(installed.resolve("lifeboat.jar.jsa")))
                .as("a startup cache beside the jar").isTrue();

        List<String> picocli = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.contains(" picocli.")) {
                picocli.add(line);
            }
        }
        assertThat(picocli).hasSizeGreaterThan(50);
        assertThat(picocli).allMatch(line -> line.endsWith("source: shared objects file")
                || line.endsWith("source: shared objects file (top)"));
    }

    /**
     * The tests of the other modules run zstd-jni from its own jar, where Java 22 and newer get its FFM classes:
     * this round trip compresses and decompresses through the JNI classes the packaged jar ships.
     */
    @Test
    void thePackagedJarBacksUpAndRestoresCompressibleFiles(@TempDir Path dir) throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            text.append("line ").append(i % 97).append(" of a compressible file\n");
        }
        Files.writeString(source.resolve("a.txt"), text);
        Files.writeString(source.resolve("b.txt"), text.reverse());
        String repo = dir.resolve("repo").toString();
        assertThat(launch(copy, "", "init", "--repo", repo).exit()).isZero();
        Launched backup = launch(copy, "", "backup", "--repo", repo, "--type", "files", source.toString(), "--json");
        assertThat(backup.exit()).as(backup.out()).isZero();
        Launched restore = launch(copy, "", "restore", "--repo", repo, "latest", "--target", dir.resolve("out").toString());
        assertThat(restore.exit()).as(restore.out()).isZero();
        for (String name : List.of("a.txt", "b.txt")) {
            assertThat(dir.resolve("out").resolve(source.toString().substring(1)).resolve(name))
                    .hasSameBinaryContentAs(source.resolve(name));
        }
        Launched check = launch(copy, "", "check", "--repo", repo, "--read-data");
        assertThat(check.exit()).as(check.out()).isZero();
        // the blobs went to the repository compressed: 2.6 MB of text in far less
        long stored = 0;
        try (var files = Files.walk(dir.resolve("repo").resolve("data"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                stored += Files.size(p);
            }
        }
        assertThat(stored).isPositive().isLessThan(Files.size(source.resolve("a.txt")) / 4);
    }

    /** Runs the jar through the launcher's own function, with extra JVM options and no resident process. */
    private static Launched launch(Path jar, String jvmOptions, String... args) throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        String script = ". \"$1/scripts/find-jdk.sh\" && lifeboat_find_jdk && jar=$2 && shift 2 && lifeboat_exec_jar \"$jar\" \"$@\"";
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, "bash", root.toString(), jar.toString()));
        command.addAll(List.of(args));
        return Launched.run(command, null, Map.of("LIFEBOAT_RESIDENT", "off", "LIFEBOAT_PASSWORD", "shipped",
                "LIFEBOAT_KDF_MEMORY_MIB", "8",
                "LIFEBOAT_JVM_OPTS", ("-Xms32m -Xmx256m -XX:+UseSerialGC " + jvmOptions).trim()));
    }
}
