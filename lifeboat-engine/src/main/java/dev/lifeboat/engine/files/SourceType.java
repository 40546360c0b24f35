package dev.lifeboat.engine.files;

import dev.lifeboat.error.LifeboatException;

import java.util.Arrays;
import java.util.Locale;

/** What a backup holds: application files, configuration, certificates (file trees), or databases. */
public enum SourceType {
    FILES, CONFIG, CERTIFICATES, DATABASE;

    /** Whether the source is a file tree (backed up by FileBackup). */
    public boolean isFileTree() {
        return this != DATABASE;
    }

    /** The name stored in snapshots and used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SourceType parse(String s) {
        for (SourceType t : values()) {
            if (t.label().equals(s)) {
                return t;
            }
        }
        throw LifeboatException.usage("unknown backup type '" + s + "'", "use one of: "
                + String.join(", ", Arrays.stream(values()).map(SourceType::label).toList()));
    }
}
