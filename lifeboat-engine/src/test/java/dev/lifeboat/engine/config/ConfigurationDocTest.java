package dev.lifeboat.engine.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md is generated from {@link Settings}; this test keeps the checked-in file in step.
 * Rerun it with {@code -Dlifeboat.docs.update=true} to rewrite the file after changing a setting.
 */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final String REGENERATE = "./mvnw -pl lifeboat-engine -am test"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dtest=ConfigurationDocTest -Dlifeboat.docs.update=true -Dsurefire.failIfNoSpecifiedTests=false";

    @Test
    void configurationReferenceIsGeneratedFromTheSettings() throws Exception {
        String expected = Settings.markdown();
        if (Boolean.getBoolean("lifeboat.docs.update")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }

        assertThat(DOC).as("docs/configuration.md is missing; create it with: %s", REGENERATE).exists();
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as("docs/configuration.md is out of date with Settings; regenerate it with: %s", REGENERATE)
                .isEqualTo(expected);
    }

    @Test
    void everySettingHasOneRowNamingItsVariables() {
        String doc = Settings.markdown();

        for (Setting<?> s : Settings.ALL) {
            assertThat(doc.lines().filter(l -> l.startsWith("| `" + s.name() + "` |")))
                    .as(s.name()).singleElement().asString()
                    .contains(s.env().stream().map(e -> "`" + e + "`").toList());
        }
    }
}
