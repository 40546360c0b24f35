package dev.lifeboat.engine.retention;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keep-within duration: a positive whole number and a unit, {@code h} (hours), {@code d} (days),
 * {@code w} (weeks), {@code m} (months) or {@code y} (years); a unit is required. The cutoff is
 * reckoned back from "now" on the calendar of the retention time zone: {@code 6h} is exactly six hours,
 * {@code 1d} is the same local time the day before (23 or 25 hours across a DST change), {@code 1m} the
 * same day of the previous month (clamped to its last day: one month before March 31 is February 28 or
 * 29), {@code 1y} the same date a year before (February 29 becomes February 28). A snapshot is within
 * when its time is at or after the cutoff.
 */
public record KeepWithin(int amount, char unit) {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,6})([hdwmy])");

    public KeepWithin {
        if (amount <= 0 || "hdwmy".indexOf(unit) < 0) {
            throw new IllegalArgumentException("keep-within needs a positive number and a unit h, d, w, m or y");
        }
    }

    /**
     * Parses {@code 30d}, {@code 12h}, {@code 6m}, ….
     *
     * @param name the setting or option, for the message
     */
    public static KeepWithin parse(String name, String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.trim());
        if (!m.matches() || Integer.parseInt(m.group(1)) == 0) {
            throw new IllegalArgumentException(name + " must be a positive number with a unit: h (hours), d (days), "
                    + "w (weeks), m (months) or y (years), for example 30d; got '" + text + "'");
        }
        return new KeepWithin(Integer.parseInt(m.group(1)), m.group(2).charAt(0));
    }

    /** The oldest instant that is still within, counted back from {@code now} in the zone. */
    public Instant cutoff(Instant now, ZoneId zone) {
        ZonedDateTime t = now.atZone(zone);
        ZonedDateTime cutoff = switch (unit) {
            case 'h' -> t.minusHours(amount);
            case 'd' -> t.minusDays(amount);
            case 'w' -> t.minusWeeks(amount);
            case 'm' -> t.minusMonths(amount);
            default -> t.minusYears(amount);
        };
        return cutoff.toInstant();
    }

    @Override
    public String toString() {
        return amount + String.valueOf(unit);
    }
}
