package dev.lifeboat.postgres.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** WAL files for tests: segments whose first page carries a valid long page header, and history files. */
public final class TestWal {
    public static final long SEGMENT_SIZE = WalSegmentName.DEFAULT_SEGMENT_SIZE;
    private static final int XLOG_PAGE_MAGIC_15 = 0xD110;
    private static final int XLP_LONG_HEADER = 0x0002;

    private TestWal() {
    }

    /** A segment of cluster {@code systemId} named {@code name}, its pages filled with seeded bytes. */
    public static byte[] segment(long systemId, String name) {
        WalSegmentName n = WalSegmentName.parse(name, SEGMENT_SIZE);
        return segment(systemId, n.timeline(), n.start().value(), SEGMENT_SIZE, name.hashCode());
    }

    /** A segment whose long page header says the given timeline, page address and size. */
    public static byte[] segment(long systemId, int pageTimeline, long pageAddress, long size, int seed) {
        byte[] b = new byte[(int) size];
        Random r = new Random(seed);
        // a few KiB of varied bytes after the header, zeros after that: compresses like a fresh segment
        byte[] body = new byte[8192];
        r.nextBytes(body);
        System.arraycopy(body, 0, b, 40, body.length);
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort(0, (short) XLOG_PAGE_MAGIC_15);
        h.putShort(2, (short) XLP_LONG_HEADER);
        h.putInt(4, pageTimeline);
        h.putLong(8, pageAddress);
        h.putLong(24, systemId);
        h.putInt(32, (int) size);
        h.putInt(36, 8192);
        return b;
    }

    /** The content of a history file: each timeline of {@code parents} ended at the matching switch point. */
    public static String history(int[] parents, String[] switchPoints) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parents.length; i++) {
            sb.append(parents[i]).append('\t').append(switchPoints[i]).append("\tno recovery target specified\n");
        }
        return sb.toString();
    }
}
