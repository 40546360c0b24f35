package dev.lifeboat.postgres.wal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The history of one timeline, read from its history file ({@code 00000003.history}): the timelines it
 * descends from, oldest first, each with the WAL range it is valid for. A history file has one line per
 * ancestor, {@code <parent timeline> <tab> <switch point> <tab> <reason>}: the parent's WAL is valid up to
 * (not including) the switch point, where the next timeline begins. Timeline 1 has no history file.
 *
 * @param timeline the timeline the history leads to
 * @param entries  every timeline on the way, oldest first, ending with {@code timeline} itself
 */
public record TimelineHistory(int timeline, List<Entry> entries) {
    private static final Pattern LINE = Pattern.compile("(\\d+)\\s+([0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8})(?:\\s.*)?");

    /**
     * One timeline of a history: WAL from {@code begin} up to (not including) {@code end}, on this timeline;
     * {@code end} is null for the newest timeline, which has not ended.
     */
    public record Entry(int timeline, Lsn begin, Lsn end) {
        public boolean holds(Lsn lsn) {
            return lsn.compareTo(begin) >= 0 && (end == null || lsn.compareTo(end) < 0);
        }
    }

    public TimelineHistory {
        entries = List.copyOf(entries);
        if (entries.isEmpty() || entries.get(entries.size() - 1).timeline() != timeline) {
            throw new IllegalArgumentException("a timeline history must end with its own timeline " + timeline);
        }
    }

    /** The history of timeline 1, which has no history file. */
    public static TimelineHistory first() {
        return new TimelineHistory(1, List.of(new Entry(1, Lsn.ZERO, null)));
    }

    /** The history file name of a timeline: eight hex digits and {@code .history}. */
    public static String fileName(int timeline) {
        return String.format("%08X.history", timeline);
    }

    /** The timeline a history file name names, or -1 when the name is not one of a history file. */
    public static int timelineOf(String fileName) {
        if (fileName == null || !fileName.matches("[0-9A-F]{8}\\.history")) {
            return -1;
        }
        return (int) Long.parseLong(fileName.substring(0, 8), 16);
    }

    public static TimelineHistory parse(int timeline, byte[] content) {
        return parse(timeline, new String(content, StandardCharsets.UTF_8));
    }

    /**
     * Parses the content of timeline {@code timeline}'s history file, the way the server reads it: blank
     * lines and lines starting with '#' are skipped; parents must increase and switch points must not go back.
     *
     * @throws IllegalArgumentException naming the first line that is not valid
     */
    public static TimelineHistory parse(int timeline, String content) {
        if (timeline < 2) {
            throw new IllegalArgumentException("timeline " + timeline + " has no history file");
        }
        List<Entry> entries = new ArrayList<>();
        Lsn begin = Lsn.ZERO;
        int lineNo = 0;
        for (String raw : content.split("\n", -1)) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("line " + lineNo + " of the history of timeline " + timeline
                        + " is not '<timeline> <switch point> <reason>': '" + line + "'");
            }
            int parent = Integer.parseInt(m.group(1));
            Lsn end = Lsn.parse(m.group(2));
            int previous = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).timeline();
            if (parent <= previous || parent >= timeline) {
                throw new IllegalArgumentException("line " + lineNo + " of the history of timeline " + timeline
                        + " names timeline " + parent + " out of order");
            }
            if (end.compareTo(begin) < 0) {
                throw new IllegalArgumentException("line " + lineNo + " of the history of timeline " + timeline
                        + " has switch point " + end + " before the previous one " + begin);
            }
            entries.add(new Entry(parent, begin, end));
            begin = end;
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("the history of timeline " + timeline + " names no parent timeline");
        }
        entries.add(new Entry(timeline, begin, null));
        return new TimelineHistory(timeline, entries);
    }

    /** The entry of a timeline of this history, or null when the timeline is not on it. */
    public Entry entry(int tli) {
        for (Entry e : entries) {
            if (e.timeline() == tli) {
                return e;
            }
        }
        return null;
    }

    public boolean contains(int tli) {
        return entry(tli) != null;
    }

    /** The timeline of this history that holds a WAL location. */
    public int timelineAt(Lsn lsn) {
        for (Entry e : entries) {
            if (e.holds(lsn)) {
                return e.timeline();
            }
        }
        throw new IllegalStateException("no timeline holds " + lsn);
    }

    /** The timeline that follows {@code tli} on this history. */
    public int next(int tli) {
        for (int i = 0; i < entries.size() - 1; i++) {
            if (entries.get(i).timeline() == tli) {
                return entries.get(i + 1).timeline();
            }
        }
        throw new IllegalArgumentException("timeline " + tli + " is not followed by another on the history of "
                + timeline);
    }

    /**
     * The timeline whose segment file holds segment {@code segment} on this history: the newest timeline that
     * begins in or before that segment. A segment in which a timeline switch happens is read from the new
     * timeline, whose copy of it has the old timeline's WAL up to the switch point.
     */
    public int timelineOfSegment(long segment, long segmentSize) {
        int tli = entries.get(0).timeline();
        for (Entry e : entries) {
            if (e.begin().segment(segmentSize) <= segment) {
                tli = e.timeline();
            }
        }
        return tli;
    }
}
