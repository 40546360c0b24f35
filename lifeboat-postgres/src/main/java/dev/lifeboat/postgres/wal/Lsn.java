package dev.lifeboat.postgres.wal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A WAL location (log sequence number), written like PostgreSQL does: {@code 16/3002D50}. */
public record Lsn(long value) implements Comparable<Lsn> {
    public static final Lsn ZERO = new Lsn(0);

    @JsonCreator
    public static Lsn parse(String text) {
        if (text == null || !text.matches("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")) {
            throw new IllegalArgumentException("invalid LSN '" + text + "' (expected the form 16/3002D50)");
        }
        int slash = text.indexOf('/');
        long hi = Long.parseLong(text.substring(0, slash), 16);
        long lo = Long.parseLong(text.substring(slash + 1), 16);
        return new Lsn(hi << 32 | lo);
    }

    /** The segment number holding this location, for the given segment size. */
    public long segment(long segmentSize) {
        return Long.divideUnsigned(value, segmentSize);
    }

    public Lsn plus(long bytes) {
        return new Lsn(value + bytes);
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    @JsonValue
    @Override
    public String toString() {
        return String.format("%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
