package dev.lifeboat.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The resident process's warm-up runs real commands, apart from the user's settings, and leaves nothing behind. */
class ResidentWarmupTest {
    @TempDir
    Path dir;

    @Test
    void everyCommandSucceedsWithoutTheUsersSettingsAndItsFolderIsDeleted() throws Exception {
        Path parent = Files.createDirectories(dir.resolve("run"));
        Map<String, String> env = new HashMap<>(System.getenv());
        // settings of the user's that would break the warm-up or be changed by it if they reached its commands
        env.put("LIFEBOAT_REPO", dir.resolve("users-repo").toString());
        env.put("LIFEBOAT_CONFIG", dir.resolve("missing.yml").toString());
        env.put("LIFEBOAT_PASSWORD_FILE", dir.resolve("missing-password").toString());
        env.put("LIFEBOAT_FILES_EXCLUDE", "*");

        ResidentWarmup.Result result = ResidentWarmup.run(parent, env);

        assertThat(result.failures()).isEmpty();
        assertThat(result.commands()).isEqualTo(1 + 5 * ResidentWarmup.ROUNDS + 2 * ResidentWarmup.PRIMING_BACKUPS);
        try (var left = Files.list(parent)) {
            assertThat(left).isEmpty();
        }
        assertThat(dir.resolve("users-repo")).doesNotExist();
    }

    @Test
    void aTemporaryFolderItCannotWriteToIsAnErrorTheProcessCanLogAndServeWithout() throws Exception {
        Path notAFolder = Files.writeString(dir.resolve("file"), "x");

        assertThatThrownBy(() -> ResidentWarmup.run(notAFolder, System.getenv())).isInstanceOf(java.io.IOException.class);
        assertThat(notAFolder).hasContent("x");
    }
}
