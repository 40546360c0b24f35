package dev.lifeboat.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    @Test
    void picocliClassesAreNewEnoughForTheStartupCache() throws IOException {
        int classes = 0;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (JarEntry e : jar.stream().toList()) {
                if (e.getName().startsWith("picocli/") && e.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(e)) {
                        byte[] head = in.readNBytes(8);
                        int major = (head[6] & 0xff) << 8 | (head[7] & 0xff);
                        // the startup cache refuses class files older than Java 6 (major version 50)
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
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        Path jar = Files.copy(JAR, dir.resolve("lifeboat.jar"));
        Path log = dir.resolve("classes.log");
        String script = ". \"$1/scripts/find-jdk.sh\" && lifeboat_find_jdk && lifeboat_exec_jar \"$2\" --version";
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script, "bash", root.toString(), jar.toString())
                .redirectErrorStream(true);
        pb.environment().put("LIFEBOAT_RESIDENT", "off");
        pb.environment().put("LIFEBOAT_JVM_OPTS", "-Xms32m -Xmx256m -XX:+UseSerialGC -Xlog:class+load=info:file=" + log);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("(?m)^lifeboat \\d+\\.\\d+");
        assertThat(dir.resolve("lifeboat.jar.aot").toFile().exists() || dir.resolve("lifeboat.jar.jsa").toFile().exists())
                .as("a startup cache beside the jar").isTrue();

        List<String> picocli = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.contains(" picocli.")) {
                picocli.add(line);
            }
        }
        assertThat(picocli).hasSizeGreaterThan(50);
        assertThat(picocli).allMatch(line -> line.endsWith("source: shared objects file")
                || line.contains("source: shared objects file (top)"));
    }
}
