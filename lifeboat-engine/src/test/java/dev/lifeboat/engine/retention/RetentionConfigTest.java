package dev.lifeboat.engine.retention;

import dev.lifeboat.engine.config.Config;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionConfigTest {
    @TempDir
    Path dir;

    private Config load(String yaml, Map<String, String> env) throws IOException {
        Path f = dir.resolve("lifeboat.yml");
        Files.writeString(f, yaml);
        return Config.load(f, env);
    }

    @Test
    void theShippedExampleGivesTheSeedsSchedule() throws IOException {
        Path example = Path.of("../docs/lifeboat.example.yml");
        RetentionConfig c = RetentionConfig.from(Config.load(example, Map.of()), Policy.NONE, ZoneId.of("UTC"));
        assertThat(c.policy("database", "shop").toString()).isEqualTo("keep-within=30d");
        assertThat(c.policy("files", "/srv").toString()).isEqualTo("keep-daily=7 keep-within=7d");
        assertThat(c.policy("config", "/etc").toString()).isEqualTo("keep-daily=30 keep-within=30d");
        assertThat(c.policy("full", "x").toString()).isEqualTo("keep-weekly=13 keep-within=90d");
    }

    @Test
    void perSourceThenRetentionDaysThenCommandLineOverride() throws IOException {
        Config config = load("""
                retention:
                  database:
                    keep-daily: 7
                    keep-within: 30d
                  sources:
                    - "billing: keep-daily=30 keep-monthly=12"
                """, Map.of("BACKUP_RETENTION_DAYS", "14"));
        RetentionConfig c = RetentionConfig.from(config, Policy.NONE, ZoneId.of("UTC"));
        assertThat(c.policy("database", "shop").toString()).isEqualTo("keep-daily=7 keep-within=14d");
        assertThat(c.policy("database", "billing").toString()).isEqualTo("keep-daily=30 keep-monthly=12 keep-within=14d");
        assertThat(c.policy("files", "/srv").toString()).isEqualTo("keep-within=14d");
        RetentionConfig cli = RetentionConfig.from(config, Policy.parse("keep-within=3d keep-last=1", "cli"), null);
        assertThat(cli.policy("database", "shop").toString()).isEqualTo("keep-last=1 keep-daily=7 keep-within=3d");
        assertThat(cli.zone()).isEqualTo(ZoneId.systemDefault());
    }

    @Test
    void badPolicyInputIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> load("retention:\n  database:\n    keep-dayly: 7\n", Map.of()))
                .isInstanceOf(LifeboatException.class)
                .hasMessage("unknown setting 'retention.database.keep-dayly' in '" + dir.resolve("lifeboat.yml") + "'");
        assertThatThrownBy(() -> load("retention:\n  database:\n    keep-daily: -2\n", Map.of()))
                .hasMessage("retention.database.keep-daily must be 0 or more, got '-2' (from '"
                        + dir.resolve("lifeboat.yml") + "')");
        assertThatThrownBy(() -> load("retention:\n  files:\n    keep-within: 30\n", Map.of()))
                .hasMessageStartingWith("retention.files.keep-within must be a positive number with a unit");
        assertThatThrownBy(() -> load("retention:\n  time-zone: Mars/Olympus\n", Map.of()))
                .hasMessageStartingWith("unknown time zone 'Mars/Olympus'");
        assertThatThrownBy(() -> RetentionConfig.from(load("retention:\n  sources: [\"keep-daily=3\"]\n", Map.of()),
                Policy.NONE, null))
                .isInstanceOf(LifeboatException.class)
                .hasMessage("retention.sources entry 'keep-daily=3' has no source name")
                .satisfies(e -> assertThat(((LifeboatException) e).code()).isEqualTo(ErrorCode.USAGE));
    }
}
