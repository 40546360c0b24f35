package dev.lifeboat.cli;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Temporary directories under the module's {@code target/e2e} instead of {@code /tmp}. A snapshot records
 * the metadata of every ancestor of a backed-up path, and {@code /tmp} changes whenever any process on the
 * machine creates a file there, so tests that expect a second backup to add nothing need quiet ancestors.
 */
final class QuietTempDir implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws Exception {
        Path parent = Files.createDirectories(Path.of("target", "e2e").toAbsolutePath());
        return Files.createTempDirectory(parent, "junit");
    }
}
