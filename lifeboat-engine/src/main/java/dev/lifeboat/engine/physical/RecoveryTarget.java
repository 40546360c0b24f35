package dev.lifeboat.engine.physical;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.wal.Lsn;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Where a point-in-time restore stops: a time, an LSN, a transaction id, a named restore point, or the end of WAL. */
public record RecoveryTarget(Kind kind, String value, String timeline) {
    /** The kinds of target PostgreSQL knows. */
    public enum Kind { TIME, LSN, XID, NAME, LATEST }

    private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx")
            .withZone(java.time.ZoneOffset.UTC);
    /** PostgreSQL's text form: 'yyyy-MM-dd HH:mm:ss', 0 to 9 fraction digits, an offset like +00 or +05:30. */
    private static final DateTimeFormatter SQL_TIME = new java.time.format.DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .appendFraction(java.time.temporal.ChronoField.NANO_OF_SECOND, 0, 9, true)
            .appendPattern("XXX")
            .toFormatter();

    public RecoveryTarget {
        if (timeline == null || !(timeline.equals("latest") || timeline.equals("current") || timeline.matches("\\d{1,9}"))) {
            throw LifeboatException.usage("invalid --timeline '" + timeline + "'", "give 'latest', 'current' or a number");
        }
        switch (kind) {
            case TIME -> time(value);
            case LSN -> {
                try {
                    Lsn.parse(value);
                } catch (IllegalArgumentException e) {
                    throw LifeboatException.usage("invalid --lsn '" + value + "'", "give an LSN like 16/3002D50");
                }
            }
            case XID -> {
                if (value == null || !value.matches("\\d{1,20}")) {
                    throw LifeboatException.usage("invalid --xid '" + value + "'", "give a transaction id (a number)");
                }
            }
            case NAME -> {
                if (value == null || value.isBlank() || value.contains("'")) {
                    throw LifeboatException.usage("invalid --name '" + value + "'",
                            "give the name of a restore point made with pg_create_restore_point()");
                }
            }
            case LATEST -> { }
        }
    }

    /** Parses a target time: ISO-8601 or PostgreSQL style, with a zone offset. */
    public static Instant time(String text) {
        if (text == null) {
            throw LifeboatException.usage("no --time given", "give a time such as '2026-11-20 10:30:00+00'");
        }
        String t = text.trim();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the PostgreSQL form below
        }
        try {
            String normalized = t.matches(".*[+-]\\d{2}$") ? t + ":00" : t;
            return OffsetDateTime.parse(normalized, SQL_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw LifeboatException.usage("invalid --time '" + text + "'",
                    "give a time with a zone offset, such as '2026-11-20 10:30:00+00' or 2026-11-20T10:30:00Z");
        }
    }

    public Instant instant() {
        return kind == Kind.TIME ? time(value) : null;
    }

    public Lsn lsn() {
        return kind == Kind.LSN ? Lsn.parse(value) : null;
    }

    /**
     * The recovery settings for postgresql.auto.conf. Every target setting is written, the unused ones
     * empty, so that settings left by an earlier recovery of the backed-up cluster cannot apply.
     */
    public String settings() {
        StringBuilder sb = new StringBuilder();
        sb.append("recovery_target = ''\n");
        for (Kind k : Kind.values()) {
            if (k != kind && k != Kind.LATEST) {
                sb.append("recovery_target_").append(k.name().toLowerCase()).append(" = ''\n");
            }
        }
        switch (kind) {
            // the setting's parser wants PostgreSQL's own form, not ISO-8601 with 'T' and 'Z'
            case TIME -> sb.append("recovery_target_time = '").append(PG_TIME.format(instant())).append("'\n");
            case LSN -> sb.append("recovery_target_lsn = '").append(value).append("'\n");
            case XID -> sb.append("recovery_target_xid = '").append(value).append("'\n");
            case NAME -> sb.append("recovery_target_name = '").append(value).append("'\n");
            case LATEST -> { }
        }
        if (kind != Kind.LATEST) {
            sb.append("recovery_target_inclusive = on\n");
        }
        sb.append("recovery_target_timeline = '").append(timeline).append("'\n");
        sb.append("recovery_target_action = 'promote'\n");
        return sb.toString();
    }

    public String describe() {
        return kind == Kind.LATEST ? "the end of the WAL in the repository" : kind.name().toLowerCase() + " " + value;
    }
}
