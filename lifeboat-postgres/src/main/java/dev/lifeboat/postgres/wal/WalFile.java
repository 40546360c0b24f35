package dev.lifeboat.postgres.wal;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.physical.WalHeader;

import java.util.regex.Pattern;

/**
 * A file the server archives ({@code archive_command}) or asks for ({@code restore_command}), known by its
 * name: a WAL segment, the last partial segment of a timeline (archived at promotion), a timeline history file,
 * or a backup history file.
 */
public record WalFile(Kind kind, String name) {
    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");
    private static final Pattern PARTIAL = Pattern.compile("[0-9A-F]{24}\\.partial");
    private static final Pattern HISTORY = Pattern.compile("[0-9A-F]{8}\\.history");
    private static final Pattern BACKUP = Pattern.compile("[0-9A-F]{24}\\.[0-9A-F]{8}\\.backup");

    /** The kinds of file. */
    public enum Kind { SEGMENT, PARTIAL, HISTORY, BACKUP }

    /** Recognises a file by its name (no folder). */
    public static WalFile of(String name) {
        for (Kind k : Kind.values()) {
            Pattern p = switch (k) {
                case SEGMENT -> SEGMENT;
                case PARTIAL -> PARTIAL;
                case HISTORY -> HISTORY;
                case BACKUP -> BACKUP;
            };
            if (name != null && p.matcher(name).matches()) {
                return new WalFile(k, name);
            }
        }
        throw LifeboatException.usage("'" + name + "' is not the name of a WAL file",
                "WAL files are named like 000000010000000000000003, 00000002.history, "
                        + "000000010000000000000003.partial or 000000010000000000000003.00000028.backup");
    }

    /** The segment a segment or partial segment file holds (its name without {@code .partial}). */
    public String segmentName() {
        return name.substring(0, 24);
    }

    /**
     * Checks that the content is what the name says: a segment's first page must name this segment's place
     * and have the segment's length; a history file must read as the history of its timeline.
     *
     * @return the system identifier the segment's header names, or null for history and backup files
     * @throws LifeboatException with code INTEGRITY when the content does not match the name
     */
    public String check(byte[] content) {
        return switch (kind) {
            case SEGMENT, PARTIAL -> checkSegment(content);
            case HISTORY -> {
                try {
                    TimelineHistory.parse(TimelineHistory.timelineOf(name), content);
                } catch (IllegalArgumentException e) {
                    throw mismatch("is not a timeline history file: " + e.getMessage());
                }
                yield null;
            }
            case BACKUP -> null;
        };
    }

    private String checkSegment(byte[] content) {
        long size = content.length;
        if (Long.bitCount(size) != 1 || size < (1 << 20) || size > (1L << 30)) {
            throw mismatch("is " + size + " bytes long, not a WAL segment size (a power of two from 1 MiB to 1 GiB)");
        }
        WalHeader h = WalHeader.parse(content);
        if (h == null) {
            throw mismatch("does not start with a WAL segment's long page header");
        }
        WalSegmentName expected = WalSegmentName.parse(segmentName(), size);
        if (h.segmentSize() != size) {
            throw mismatch("says its segment size is " + h.segmentSize() + " but is " + size + " bytes long");
        }
        if (h.pageAddress() != expected.start().value()) {
            throw mismatch("starts with the page of " + new Lsn(h.pageAddress()) + ", not of " + expected.start());
        }
        // the first segment of a new timeline is a copy of the old one up to the switch, pages and all
        if (h.timeline() < 1 || h.timeline() > expected.timeline()) {
            throw mismatch("starts with a page of timeline " + h.timeline() + ", after its own timeline "
                    + expected.timeline());
        }
        return Long.toUnsignedString(h.systemIdentifier());
    }

    private LifeboatException mismatch(String what) {
        return new LifeboatException(ErrorCode.INTEGRITY, "WAL file '" + name + "' " + what,
                "archive_command must pass %p (the file's path) and the file must come from the server's pg_wal");
    }
}
