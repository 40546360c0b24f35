package dev.lifeboat.postgres.physical;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The long page header at the start of every WAL segment: it names the cluster (system identifier), the
 * timeline and the location of the page, so a segment file can be checked against its name.
 */
public record WalHeader(int magic, int timeline, long pageAddress, long systemIdentifier, int segmentSize,
                        int blockSize) {
    private static final int XLP_LONG_HEADER = 0x0002;

    /** Parses the header of a segment's first page; null when the bytes are not a long page header. */
    public static WalHeader parse(byte[] segment) {
        if (segment.length < 40) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(segment).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getShort(0) & 0xffff;
        int info = b.getShort(2) & 0xffff;
        if ((info & XLP_LONG_HEADER) == 0) {
            return null;
        }
        int tli = b.getInt(4);
        long pageaddr = b.getLong(8);
        long sysid = b.getLong(24);
        int segSize = b.getInt(32);
        int blcksz = b.getInt(36);
        return new WalHeader(magic, tli, pageaddr, sysid, segSize, blcksz);
    }
}
