package dev.lifeboat.repo.backend;

import java.util.regex.Pattern;

/** The name of one object in a repository: its kind plus a name made of safe characters. */
public record ObjectName(ObjectKind kind, String name) {
    private static final Pattern SAFE = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]{0,199}");

    public ObjectName {
        if (kind == null) {
            throw new IllegalArgumentException("object kind is required");
        }
        if (name == null || !SAFE.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid object name '" + name + "'");
        }
        if (kind.fannedOut() && name.length() < 2) {
            throw new IllegalArgumentException("object name '" + name + "' is too short for kind " + kind);
        }
    }

    public static final ObjectName CONFIG = new ObjectName(ObjectKind.CONFIG, "config");

    /** The path of the object relative to the repository root, with '/' separators. */
    public String path() {
        if (kind == ObjectKind.CONFIG) {
            return name;
        }
        if (kind.fannedOut()) {
            return kind.folder() + "/" + name.substring(0, 2) + "/" + name;
        }
        return kind.folder() + "/" + name;
    }

    @Override
    public String toString() {
        return path();
    }
}
