package dev.lifeboat.error;

/**
 * The one unchecked exception Lifeboat throws for errors a user should see.
 *
 * <p>The message is one lowercase line without a trailing period, naming things in quotes; the hint,
 * when present, says how to fix it.
 */
public class LifeboatException extends RuntimeException {
    private final ErrorCode code;
    private final String hint;

    public LifeboatException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public LifeboatException(ErrorCode code, String message, String hint) {
        this(code, message, hint, null);
    }

    public LifeboatException(ErrorCode code, String message, String hint, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.hint = hint;
    }

    public ErrorCode code() {
        return code;
    }

    /** How to fix the problem, or null when there is nothing more to say. */
    public String hint() {
        return hint;
    }

    public static LifeboatException usage(String message, String hint) {
        return new LifeboatException(ErrorCode.USAGE, message, hint);
    }

    public static LifeboatException integrity(String message) {
        return new LifeboatException(ErrorCode.INTEGRITY, message,
                "run 'lifeboat check --read-data' to find every damaged object");
    }
}
