package dev.lifeboat.repo;

/**
 * Receives progress of a long operation; the CLI renders it as a bar or as plain lines.
 * Implementations must be thread-safe: workers report concurrently.
 */
public interface Progress {
    /** Units of work a phase counts. */
    enum Unit { BYTES, ITEMS }

    /** A new phase begins; {@code total} is -1 while unknown. */
    void start(String phase, long total, Unit unit);

    /** The total became known or grew. */
    void total(long total);

    /** Work done since the last call. */
    void advance(long done);

    /** The phase is over. */
    void finish();

    /** A warning to show without stopping (an unreadable file, a skipped object). */
    default void warn(String message) {
    }

    Progress NONE = new Progress() {
        @Override
        public void start(String phase, long total, Unit unit) {
        }

        @Override
        public void total(long total) {
        }

        @Override
        public void advance(long done) {
        }

        @Override
        public void finish() {
        }
    };
}
