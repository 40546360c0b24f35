package dev.lifeboat.engine.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A positive duration written with one unit: {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}. */
public record Interval(Duration value) {
    private static final Pattern TEXT = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    public Interval {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("an interval must be positive");
        }
    }

    /**
     * Parses a number with a unit.
     *
     * @param name the setting, for the message
     */
    public static Interval parse(String name, String text) {
        Matcher m = TEXT.matcher(text.trim());
        if (!m.matches() || m.group(1).matches("0+")) {
            throw new IllegalArgumentException(name + " must be a positive duration like 500ms, 2s or 5m, got '"
                    + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return new Interval(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        });
    }

    /** The largest unit that writes the interval exactly. */
    @Override
    public String toString() {
        long ms = value.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
