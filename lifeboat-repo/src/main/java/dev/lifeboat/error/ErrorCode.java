package dev.lifeboat.error;

/**
 * What went wrong, as a user sees it; each code carries the fixed exit status of the CLI.
 *
 * <p>Whether an error is worth retrying is decided here and nowhere else.
 */
public enum ErrorCode {
    /** A failure with no more specific code. */
    FAILURE(1, false),
    /** Bad command-line or configuration input. */
    USAGE(2, false),
    /** The command finished but could not include everything (for example unreadable files). */
    INCOMPLETE(3, false),
    /** There is no repository at the given location, or it is not a Lifeboat repository. */
    NO_REPOSITORY(10, false),
    /** Another process holds a conflicting lock on the repository. */
    LOCKED(11, true),
    /** No key of the repository opens with the given password. */
    WRONG_PASSWORD(12, false),
    /** Data failed authentication, a checksum did not match, or a required object is missing. */
    INTEGRITY(13, false),
    /** A snapshot, key or object that was named does not exist. */
    NOT_FOUND(14, false),
    /** A backup or repository belongs to another PostgreSQL cluster. */
    CLUSTER_MISMATCH(15, false),
    /** The storage backend failed in a way that may succeed when tried again. */
    STORAGE_TRANSIENT(16, true),
    /** The storage backend refused the request (permissions, no space, no such bucket). */
    STORAGE_PERMANENT(17, false),
    /** The target already exists and the command refuses to overwrite it. */
    ALREADY_EXISTS(18, false),
    /** PostgreSQL could not be reached, refused the login, or a needed client program is missing or too old. */
    DATABASE(19, false),
    /** A restore's verification found data that differs from what the backup recorded. */
    VERIFICATION(20, false),
    /** The operation was interrupted (SIGINT). */
    INTERRUPTED(130, false);

    private final int exitStatus;
    private final boolean retriable;

    ErrorCode(int exitStatus, boolean retriable) {
        this.exitStatus = exitStatus;
        this.retriable = retriable;
    }

    /** The process exit status the CLI uses for this error. */
    public int exitStatus() {
        return exitStatus;
    }

    /** Whether the same operation may succeed when tried again unchanged. */
    public boolean retriable() {
        return retriable;
    }
}
