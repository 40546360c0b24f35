package dev.lifeboat.repo.backend;

/** The kinds of object a repository holds; each lives under its own folder (or key prefix). */
public enum ObjectKind {
    CONFIG("", false),
    KEY("keys", false),
    DATA("data", true),
    INDEX("index", false),
    SNAPSHOT("snapshots", false),
    LOCK("locks", false),
    /** WAL segments and timeline history files, one object each, named {@code <system id>-<file name>}. */
    WAL("wal", false);

    private final String folder;
    private final boolean fannedOut;

    ObjectKind(String folder, boolean fannedOut) {
        this.folder = folder;
        this.fannedOut = fannedOut;
    }

    /** The folder under the repository root, empty for the single config object. */
    public String folder() {
        return folder;
    }

    /** Whether objects sit in 256 sub-folders named by the first two characters of their name. */
    public boolean fannedOut() {
        return fannedOut;
    }
}
