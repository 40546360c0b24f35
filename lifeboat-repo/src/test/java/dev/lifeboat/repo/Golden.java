package dev.lifeboat.repo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files of the repository format under {@code src/test/resources/golden}. After an intended
 * format change, rerun the tests with {@code -Dlifeboat.golden.update=true} to rewrite them, and review
 * the diff like code.
 */
public final class Golden {
    private static final Path SOURCE_FOLDER = Path.of("src/test/resources/golden");

    private Golden() {
    }

    /** The text of a golden file. */
    public static String read(String name) {
        if (updating()) {
            try {
                return Files.readString(SOURCE_FOLDER.resolve(name), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new AssertionError("golden file '" + name + "' is missing; run the tests once with "
                        + "-Dlifeboat.golden.update=true to create it");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The bytes of a golden file written as hexadecimal text: whitespace separates nothing and a
     * {@code #} starts a comment to the end of the line, so the file can say what each field is.
     */
    public static byte[] readHex(String name) {
        StringBuilder hex = new StringBuilder();
        for (String line : read(name).split("\n")) {
            int hash = line.indexOf('#');
            hex.append((hash < 0 ? line : line.substring(0, hash)).replaceAll("\\s", ""));
        }
        return HexFormat.of().parseHex(hex);
    }

    private static boolean updating() {
        return Boolean.getBoolean("lifeboat.golden.update");
    }

    /** Asserts that {@code actual} is the golden file's text, or rewrites the file when updating. */
    public static void assertMatches(String name, String actual) {
        if (updating()) {
            try {
                Files.createDirectories(SOURCE_FOLDER);
                Files.writeString(SOURCE_FOLDER.resolve(name), actual, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        assertThat(actual)
                .as("golden file '%s' (after an intended format change rerun with -Dlifeboat.golden.update=true)",
                        name)
                .isEqualTo(read(name));
    }
}
