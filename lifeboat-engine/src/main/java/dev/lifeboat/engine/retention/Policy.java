package dev.lifeboat.engine.retention;

import java.util.ArrayList;
import java.util.List;

/**
 * A retention policy: how many snapshots to keep by each rule (0: the rule is off) and the keep-within
 * duration (null: off). A snapshot is kept when any rule keeps it. A policy with every rule off keeps
 * everything: forgetting needs an explicit rule.
 */
public record Policy(int last, int hourly, int daily, int weekly, int monthly, int yearly, KeepWithin within) {
    /** The rule names, as in lifeboat.yml and on the command line. */
    public static final List<String> RULES = List.of("keep-last", "keep-hourly", "keep-daily", "keep-weekly",
            "keep-monthly", "keep-yearly", "keep-within");
    public static final Policy NONE = new Policy(0, 0, 0, 0, 0, 0, null);

    public Policy {
        for (int n : new int[] {last, hourly, daily, weekly, monthly, yearly}) {
            if (n < 0) {
                throw new IllegalArgumentException("a retention count must be 0 or more, got " + n);
            }
        }
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** This policy with one rule set from text ({@code keep-daily}, {@code "7"}). */
    public Policy with(String rule, String value, String where) {
        if (rule.equals("keep-within")) {
            return new Policy(last, hourly, daily, weekly, monthly, yearly, KeepWithin.parse(where, value));
        }
        int n = count(where, value);
        return switch (rule) {
            case "keep-last" -> new Policy(n, hourly, daily, weekly, monthly, yearly, within);
            case "keep-hourly" -> new Policy(last, n, daily, weekly, monthly, yearly, within);
            case "keep-daily" -> new Policy(last, hourly, n, weekly, monthly, yearly, within);
            case "keep-weekly" -> new Policy(last, hourly, daily, n, monthly, yearly, within);
            case "keep-monthly" -> new Policy(last, hourly, daily, weekly, n, yearly, within);
            case "keep-yearly" -> new Policy(last, hourly, daily, weekly, monthly, n, within);
            default -> throw new IllegalArgumentException("unknown retention rule '" + rule + "' in " + where
                    + "; the rules are " + String.join(", ", RULES));
        };
    }

    /** This policy with every rule the other one sets (non-zero, or a keep-within) taken from it. */
    public Policy overriddenBy(Policy o) {
        return new Policy(o.last != 0 ? o.last : last, o.hourly != 0 ? o.hourly : hourly,
                o.daily != 0 ? o.daily : daily, o.weekly != 0 ? o.weekly : weekly,
                o.monthly != 0 ? o.monthly : monthly, o.yearly != 0 ? o.yearly : yearly,
                o.within != null ? o.within : within);
    }

    /**
     * Parses rules separated by spaces, {@code keep-daily=7 keep-within=30d}.
     *
     * @param where names the input for messages
     */
    public static Policy parse(String text, String where) {
        Policy p = NONE;
        for (String part : text.trim().split("\\s+")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected RULE=VALUE (for example keep-daily=7) in " + where
                        + ", got '" + part + "'");
            }
            p = p.with(part.substring(0, eq), part.substring(eq + 1), where);
        }
        return p;
    }

    private static int count(String where, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 0) {
                throw new IllegalArgumentException(where + " must be 0 or more, got '" + value + "'");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " must be a whole number, got '" + value + "'");
        }
    }

    /** The rules that are on, as {@code keep-daily=7 keep-within=30d}; {@code none} when none is. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        int[] counts = {last, hourly, daily, weekly, monthly, yearly};
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                parts.add(RULES.get(i) + "=" + counts[i]);
            }
        }
        if (within != null) {
            parts.add("keep-within=" + within);
        }
        return parts.isEmpty() ? "none" : String.join(" ", parts);
    }
}
