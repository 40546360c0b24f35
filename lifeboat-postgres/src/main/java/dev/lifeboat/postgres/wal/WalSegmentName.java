package dev.lifeboat.postgres.wal;

/**
 * The name of a WAL segment file: timeline, then the segment number split in "log" and "seg" parts, each
 * eight hex digits ({@code 000000010000000000000003}).
 */
public record WalSegmentName(int timeline, long segment, long segmentSize) implements Comparable<WalSegmentName> {
    public static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;

    public WalSegmentName {
        if (timeline < 1) {
            throw new IllegalArgumentException("timeline must be at least 1, got " + timeline);
        }
        if (segment < 0) {
            throw new IllegalArgumentException("segment number must not be negative");
        }
        if (Long.bitCount(segmentSize) != 1 || segmentSize < 1024 * 1024 || segmentSize > 1024L * 1024 * 1024) {
            throw new IllegalArgumentException("WAL segment size must be a power of two from 1 MiB to 1 GiB, got "
                    + segmentSize);
        }
    }

    private long segmentsPerLogId() {
        return 0x100000000L / segmentSize;
    }

    /** Parses a 24-character segment file name. */
    public static WalSegmentName parse(String name, long segmentSize) {
        if (name == null || !name.matches("[0-9A-F]{24}")) {
            throw new IllegalArgumentException("invalid WAL segment name '" + name + "' (24 upper-case hex digits)");
        }
        int tli = (int) Long.parseLong(name.substring(0, 8), 16);
        long log = Long.parseLong(name.substring(8, 16), 16);
        long seg = Long.parseLong(name.substring(16, 24), 16);
        long perLog = 0x100000000L / segmentSize;
        if (seg >= perLog) {
            throw new IllegalArgumentException("WAL segment name '" + name + "' does not fit segment size " + segmentSize);
        }
        return new WalSegmentName(tli, log * perLog + seg, segmentSize);
    }

    public static WalSegmentName of(int timeline, Lsn lsn, long segmentSize) {
        return new WalSegmentName(timeline, lsn.segment(segmentSize), segmentSize);
    }

    /** The first WAL location of this segment. */
    public Lsn start() {
        return new Lsn(segment * segmentSize);
    }

    public WalSegmentName next() {
        return new WalSegmentName(timeline, segment + 1, segmentSize);
    }

    @Override
    public String toString() {
        long perLog = segmentsPerLogId();
        return String.format("%08X%08X%08X", timeline, segment / perLog, segment % perLog);
    }

    @Override
    public int compareTo(WalSegmentName o) {
        int c = Integer.compare(timeline, o.timeline);
        return c != 0 ? c : Long.compare(segment, o.segment);
    }
}
