package dev.lifeboat.engine.config;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        return Files.writeString(dir.resolve("lifeboat.yml"), text);
    }

    private Config load(String text) throws Exception {
        return Config.load(yaml(text), Map.of());
    }

    @Test
    void nestedKeysFillDottedSettings() throws Exception {
        Config config = load("""
                repository: /srv/backups
                password-file: /etc/lifeboat/password
                files:
                  exclude: ["*.log", node_modules/]
                config:
                  include:
                    - .env
                    - "*.toml"
                  exclude: [vendor/]
                certificates:
                  warn-days: 14
                kdf:
                  memory-mib: 128
                app-version: v1.4.2
                """);

        assertThat(config.get(Settings.REPOSITORY)).isEqualTo("/srv/backups");
        assertThat(config.get(Settings.PASSWORD_FILE)).isEqualTo("/etc/lifeboat/password");
        assertThat(config.get(Settings.FILES_EXCLUDE)).containsExactly("*.log", "node_modules/");
        assertThat(config.get(Settings.CONFIG_INCLUDE)).containsExactly(".env", "*.toml");
        assertThat(config.get(Settings.CONFIG_EXCLUDE)).containsExactly("vendor/");
        assertThat(config.get(Settings.CERTIFICATE_WARN_DAYS)).isEqualTo(14);
        assertThat(config.get(Settings.KDF_MEMORY_MIB)).isEqualTo(128);
        assertThat(config.get(Settings.APP_VERSION)).isEqualTo("v1.4.2");
        assertThat(config.file()).isEqualTo(dir.resolve("lifeboat.yml"));
    }

    @Test
    void dottedKeysWorkLikeNestedOnes() throws Exception {
        Config config = load("files.exclude: [tmp/]\nkdf.memory-mib: 32\n");

        assertThat(config.get(Settings.FILES_EXCLUDE)).containsExactly("tmp/");
        assertThat(config.get(Settings.KDF_MEMORY_MIB)).isEqualTo(32);
    }

    @Test
    void settingsMissingFromTheFileKeepTheirDefaults() throws Exception {
        Config config = load("repository: /srv/backups\n");

        for (Setting<?> s : Settings.ALL) {
            if (s != Settings.REPOSITORY) {
                assertThat((Object) config.get(s)).as(s.name()).isEqualTo(s.defaultValue());
            }
        }
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "\n", "# nothing set yet\n", "---\n"})
    void emptyFileIsFineAndGivesTheDefaults(String text) throws Exception {
        Config config = load(text);

        assertThat(config.get(Settings.REPOSITORY)).isNull();
        assertThat(config.get(Settings.FILES_EXCLUDE)).isEqualTo(Settings.FILES_EXCLUDE.defaultValue());
        assertThat(config.get(Settings.KDF_MEMORY_MIB)).isEqualTo(19);
    }

    @Test
    void environmentBeatsTheFile() throws Exception {
        Config config = Config.load(yaml("repository: /from/file\nkdf:\n  memory-mib: 128\n"),
                Map.of("LIFEBOAT_REPO", "/from/env", "LIFEBOAT_FILES_EXCLUDE", "a/, *.tmp ,,b"));

        assertThat(config.get(Settings.REPOSITORY)).isEqualTo("/from/env");
        assertThat(config.get(Settings.FILES_EXCLUDE)).containsExactly("a/", "*.tmp", "b");
        assertThat(config.get(Settings.KDF_MEMORY_MIB)).isEqualTo(128);
    }

    @Test
    void emptyEnvironmentVariableDoesNotOverride() throws Exception {
        Config config = Config.load(yaml("repository: /from/file\n"), Map.of("LIFEBOAT_REPO", ""));

        assertThat(config.get(Settings.REPOSITORY)).isEqualTo("/from/file");
    }

    @Test
    void firstSetVariableOfASettingWins() {
        Config config = Config.defaults(Map.of("APP_VERSION", "from-app-version", "GIT_COMMIT", "abc123",
                "LIFEBOAT_APP_VERSION", "from-lifeboat"));

        assertThat(config.get(Settings.APP_VERSION)).isEqualTo("from-lifeboat");
        assertThat(Config.defaults(Map.of("GIT_COMMIT", "abc123", "APP_VERSION", "v2")).get(Settings.APP_VERSION))
                .isEqualTo("v2");
        assertThat(Config.defaults(Map.of("GIT_COMMIT", "abc123")).get(Settings.APP_VERSION)).isEqualTo("abc123");
        assertThat(config.file()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # yaml                         | unknown setting
            x.y: 1                         | x.y
            files:\\n  exclud: [a]          | files.exclud
            kdf:\\n  memory: 64             | kdf.memory
            repositories: /srv             | repositories
            """)
    void unknownSettingIsRefusedNamingItAndTheFile(String text, String name) throws Exception {
        Path file = yaml(text.replace("\\n", "\n"));

        assertThatThrownBy(() -> Config.load(file, Map.of()))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.getMessage()).isEqualTo("unknown setting '" + name + "' in '" + file + "'");
                    assertThat(e.hint()).isEqualTo("the settings are listed in docs/configuration.md");
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # yaml                          | message (before the file name)
            kdf:\\n  memory-mib: lots        | kdf.memory-mib must be a positive integer, got 'lots' (from
            kdf:\\n  memory-mib: -64         | kdf.memory-mib must be a positive integer, got '-64' (from
            kdf:\\n  memory-mib: 0           | kdf.memory-mib must be a positive integer, got '0' (from
            kdf:\\n  memory-mib: 6.5         | kdf.memory-mib must be a positive integer, got '6.5' (from
            certificates.warn-days: true    | certificates.warn-days must be a positive integer, got 'true' (from
            """)
    void valueOfTheWrongTypeIsRefusedNamingTheSettingAndTheFile(String text, String message) throws Exception {
        Path file = yaml(text.replace("\\n", "\n"));

        assertThatThrownBy(() -> Config.load(file, Map.of()))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.getMessage()).isEqualTo(message + " '" + file + "')");
                    assertThat(e.hint()).isEqualTo("see docs/configuration.md");
                });
    }

    @Test
    void mappingGivenForASettingIsRefused() throws Exception {
        Path file = yaml("repository:\n  path: /srv\n");

        assertThatThrownBy(() -> Config.load(file, Map.of()))
                .isInstanceOf(LifeboatException.class)
                .hasMessage("setting 'repository' in '" + file + "' must be a string");
    }

    @Test
    void listGivenForASingleValueIsRefused() throws Exception {
        Path file = yaml("repository: [/srv/a, /srv/b]\n");

        assertThatThrownBy(() -> Config.load(file, Map.of()))
                .isInstanceOf(LifeboatException.class)
                .hasMessage("setting 'repository' in '" + file + "' must be a string");
    }

    @Test
    void listItemsAreKeptWholeEvenWithCommas() throws Exception {
        Config config = load("files:\n  exclude: [\"*.{log,tmp}\", cache/]\n");

        assertThat(config.get(Settings.FILES_EXCLUDE)).containsExactly("*.{log,tmp}", "cache/");
    }

    @Test
    void keyWithoutAValueKeepsTheDefault() throws Exception {
        Config config = load("repository:\nfiles:\n  exclude:\n");

        assertThat(config.get(Settings.REPOSITORY)).isNull();
        assertThat(config.get(Settings.FILES_EXCLUDE)).isEqualTo(Settings.FILES_EXCLUDE.defaultValue());
    }

    @Test
    void kdfMemoryOutsideTheDocumentedRangeIsRefused() throws Exception {
        Path file = yaml("kdf:\n  memory-mib: 4\n");

        assertThatThrownBy(() -> Config.load(file, Map.of()))
                .isInstanceOf(LifeboatException.class)
                .hasMessageStartingWith("kdf.memory-mib must be");
    }

    @Test
    void badValueFromTheEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> Config.defaults(Map.of("LIFEBOAT_CERTIFICATE_WARN_DAYS", "-1")))
                .isInstanceOf(LifeboatException.class)
                .hasMessage("certificates.warn-days must be a positive integer, got '-1'"
                        + " (from environment variable LIFEBOAT_CERTIFICATE_WARN_DAYS)");
    }

    @Test
    void fileThatIsNotAMappingIsRefused() throws Exception {
        Path file = yaml("- repository\n- /srv\n");

        assertThatThrownBy(() -> Config.load(file, Map.of()))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.getMessage())
                            .isEqualTo("configuration file '" + file + "' must be a mapping of settings");
                    assertThat(e.hint()).isEqualTo("see docs/configuration.md");
                });
    }

    @Test
    void malformedYamlIsRefusedWithTheParsersFirstLine() throws Exception {
        Path file = yaml("repository: [unclosed\n");

        assertThatThrownBy(() -> Config.load(file, Map.of()))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.getMessage()).startsWith("cannot read configuration file '" + file + "': ")
                            .doesNotContain("\n");
                    assertThat(e.hint()).isEqualTo("fix the YAML syntax");
                });
    }

    @Test
    void locateRefusesAMissingExplicitFile() {
        String missing = dir.resolve("nowhere.yml").toString();

        assertThatThrownBy(() -> Config.locate(missing, Map.of()))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
                    assertThat(e.getMessage()).isEqualTo("configuration file '" + missing + "' does not exist");
                    assertThat(e.hint()).isEqualTo("check the --config path");
                });
    }

    @Test
    void locateRefusesAMissingFileNamedByTheEnvironment() {
        String missing = dir.resolve("nowhere.yml").toString();

        assertThatThrownBy(() -> Config.locate(null, Map.of("LIFEBOAT_CONFIG", missing)))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.getMessage())
                            .isEqualTo("configuration file '" + missing + "' (LIFEBOAT_CONFIG) does not exist");
                    assertThat(e.hint()).isEqualTo("unset LIFEBOAT_CONFIG or point it at a file");
                });
    }

    @Test
    void locatePrefersTheExplicitFileToTheEnvironment() throws Exception {
        Path explicit = yaml("");
        Path fromEnv = Files.writeString(dir.resolve("env.yml"), "");

        assertThat(Config.locate(explicit.toString(), Map.of("LIFEBOAT_CONFIG", fromEnv.toString())))
                .isEqualTo(explicit);
        assertThat(Config.locate(null, Map.of("LIFEBOAT_CONFIG", fromEnv.toString()))).isEqualTo(fromEnv);
    }

    @Test
    void locateRefusesADirectoryGivenAsTheFile() {
        assertThatThrownBy(() -> Config.locate(dir.toString(), Map.of()))
                .isInstanceOf(LifeboatException.class)
                .hasMessage("configuration file '" + dir + "' does not exist");
    }

    @Test
    void listSettingsDefaultToTheDocumentedGlobs() {
        assertThat(Settings.FILES_EXCLUDE.defaultValue())
                .isEqualTo(List.of("node_modules/", "target/", "build/", "dist/", ".git/"));
        assertThat(Settings.FILES_EXCLUDE.defaultText()).isEqualTo("`node_modules/`, `target/`, `build/`, `dist/`, `.git/`");
        assertThat(Settings.REPOSITORY.defaultText()).isEqualTo("(none)");
    }
}
