package dev.lifeboat.engine.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size in bytes, written as PostgreSQL writes sizes: a number and a unit B, kB, MB, GB or TB (powers of 1024). */
public record DataSize(long bytes) {
    private static final Pattern TEXT = Pattern.compile("(\\d+)\\s*(B|kB|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?");
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB"};

    public DataSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size cannot be negative");
        }
    }

    /**
     * Parses {@code 512MB}, {@code 1GB}, {@code 1GiB} or a number of bytes.
     *
     * @param name the setting, for the message
     */
    public static DataSize parse(String name, String text) {
        Matcher m = TEXT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(name + " must be a size like 512MB or 1GB, got '" + text + "'");
        }
        int shift = switch (m.group(2) == null ? "B" : m.group(2).substring(0, 1).toUpperCase()) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException(name + " is too large: '" + text + "'");
        }
        return new DataSize(n << shift);
    }

    /** The largest unit that writes the size exactly: {@code 1GB}, {@code 1536MB}, {@code 100B}. */
    @Override
    public String toString() {
        int unit = 0;
        long n = bytes;
        while (unit < UNITS.length - 1 && n != 0 && n % 1024 == 0) {
            n /= 1024;
            unit++;
        }
        return n + UNITS[unit];
    }
}
