package dev.lifeboat.engine.files;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Temporary directories under the module's {@code target/test-trees}. A backup records every ancestor
 * of its root, so a test that expects two backups to share every tree blob needs ancestors that nothing
 * else changes meanwhile; /tmp is changed by every build running next to this one.
 */
public final class TargetTempDirs implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws Exception {
        Path parent = Files.createDirectories(Path.of("target", "test-trees").toAbsolutePath());
        return Files.createTempDirectory(parent, "junit");
    }
}
