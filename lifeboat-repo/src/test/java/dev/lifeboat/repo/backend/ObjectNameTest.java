package dev.lifeboat.repo.backend;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectNameTest {

    @ParameterizedTest(name = "{0} ''{1}'' lies at ''{2}''")
    @CsvSource({
            "CONFIG, config, config",
            "KEY, 70cf, keys/70cf",
            "DATA, 7970bd, data/79/7970bd",
            "DATA, ab, data/ab/ab",
            "INDEX, aee7, index/aee7",
            "SNAPSHOT, 0ad7, snapshots/0ad7",
            "LOCK, 12ab, locks/12ab"})
    void pathFollowsTheRepositoryLayout(ObjectKind kind, String name, String path) {
        ObjectName object = new ObjectName(kind, name);

        assertThat(object.path()).isEqualTo(path);
        assertThat(object.toString()).isEqualTo(path);
    }

    @ParameterizedTest(name = "''{0}''")
    @NullAndEmptySource
    @ValueSource(strings = {".tmp-1-ab", "..", "a/b", "a b", "-a", "_a", "a\\b", "ü"})
    void rejectsNamesThatAreNotSafeFileNames(String name) {
        assertThatThrownBy(() -> new ObjectName(ObjectKind.KEY, name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid object name '" + name + "'");
    }

    @Test
    void rejectsNamesLongerThan200Characters() {
        new ObjectName(ObjectKind.KEY, "a".repeat(200));

        assertThatThrownBy(() -> new ObjectName(ObjectKind.KEY, "a".repeat(201)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dataNamesNeedTwoCharactersForTheirFolder() {
        assertThatThrownBy(() -> new ObjectName(ObjectKind.DATA, "a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("object name 'a' is too short for kind DATA");
    }

    @Test
    void kindIsRequired() {
        assertThatThrownBy(() -> new ObjectName(null, "a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("object kind is required");
    }
}
