package dev.lifeboat.postgres.logical;

import dev.lifeboat.error.LifeboatException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the rows of every table in a custom-format dump while the dump streams past, so that a backup
 * records exact row counts without scanning every table a second time with {@code count(*)} (on the 1.5 GB
 * benchmark database, about a second of server CPU and a second read of the largest table from disk). The
 * counts are exact and of the dump's own snapshot: each row of COPY data ends with a newline, which COPY
 * escapes inside values, and pg_dump's end marker ({@code \.} and empty lines) is left out as
 * {@link StreamedRestore} leaves it out.
 *
 * <p>The dump's bytes are given to {@link #accept} in order, all on one thread (not necessarily the one that
 * reads the dump; {@code onUnusable} runs on it too); nothing is
 * copied past the header and table of contents (read by {@link ArchiveReader}), and the data blocks are
 * followed by a small state machine as {@code pg_backup_custom.c} writes them. An archive it cannot read
 * (another version, compressed, damaged) or a data block that does not look like COPY data makes the counts
 * {@linkplain Counts#usable unusable}, with the reason, and the caller counts with queries instead; the
 * {@code onUnusable} callback says so as soon as it is known.
 */
public final class DumpRowCounter implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long HIGH = 0x8080808080808080L;
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    /** A table of contents larger than this is not waited for (a schema of millions of objects). */
    private static final int MAX_TOC = 256 << 20;

    /**
     * Rows per table as {@code List.of(schema, table)}, for every table whose data the dump holds, or the
     * reason there are none.
     */
    public record Counts(Map<List<String>, Long> rows, String unusable) {
        public Counts {
            rows = Map.copyOf(rows);
        }

        public boolean usable() {
            return unusable == null;
        }
    }

    /** What the next bytes of the data section are. */
    private enum State { BLOCK_TYPE, DUMP_ID, CHUNK_LENGTH, CHUNK, BLOB_OID }

    private final Runnable onUnusable;
    private byte[] prefix = new byte[64 << 10];
    private int prefixLength;
    private int nextAttempt = 1;
    private Map<Integer, ArchiveReader.TocEntry> tables;
    private int intSize;
    private final Map<List<String>, Long> rows = new HashMap<>();
    private String unusable;
    private State state = State.BLOCK_TYPE;
    private int blockType;
    private final byte[] intBytes = new byte[9];
    private int intRead;
    private long chunkLeft;
    private ArchiveReader.TocEntry table;
    private Tally tally;
    /** Where the current table's chunks start in the array being read, or -1 (see {@link #countRun}). */
    private int runFrom = -1;
    private long runHeaderNewlines;

    public DumpRowCounter(Runnable onUnusable) {
        this.onUnusable = onUnusable;
    }

    /** The next bytes of the dump. */
    public void accept(byte[] bytes, int offset, int length) {
        if (unusable != null || length == 0) {
            return;
        }
        if (tables == null) {
            readHeader(bytes, offset, length);
        } else {
            data(bytes, offset, length);
        }
    }

    /** The dump ended: the counts. */
    public Counts finish() {
        if (unusable == null && tables == null) {
            parseHeader();
        }
        if (unusable == null && tables == null) {
            giveUp("the dump ends inside its header or table of contents");
        } else if (unusable == null && state != State.BLOCK_TYPE) {
            giveUp("the dump ends inside a data block");
        }
        return unusable != null ? new Counts(Map.of(), unusable) : new Counts(rows, null);
    }

    /** Stops counting (the dump failed) without calling {@code onUnusable}. */
    @Override
    public void close() {
        if (unusable == null) {
            unusable = "counting was stopped";
        }
        prefix = null;
    }

    private void giveUp(String why) {
        if (unusable == null) {
            unusable = why;
            prefix = null;
            onUnusable.run();
        }
    }

    /**
     * Keeps the bytes until the header and table of contents are complete (tried again each time the bytes held
     * have doubled), then counts the data that follows them.
     */
    private void readHeader(byte[] bytes, int offset, int length) {
        if (prefixLength + length > prefix.length) {
            if (prefixLength + length > MAX_TOC) {
                giveUp("its table of contents is larger than " + (MAX_TOC >> 20) + " MiB");
                return;
            }
            prefix = Arrays.copyOf(prefix, Math.max(prefixLength + length, prefix.length * 2));
        }
        System.arraycopy(bytes, offset, prefix, prefixLength, length);
        prefixLength += length;
        if (prefixLength >= nextAttempt) {
            parseHeader();
        }
    }

    /** Reads the header and table of contents from the bytes held, if they are complete, and counts what follows. */
    private void parseHeader() {
        ArchiveReader archive;
        try {
            archive = ArchiveReader.openPrefix(prefix, prefixLength);
        } catch (LifeboatException e) {
            giveUp("the dump could not be read: " + e.getMessage());
            return;
        }
        if (archive == null) {
            nextAttempt = prefixLength * 2;
            return;
        }
        if (archive.unsupported() != null) {
            giveUp(archive.unsupported());
            return;
        }
        Map<Integer, ArchiveReader.TocEntry> data = new HashMap<>();
        for (ArchiveReader.TocEntry e : archive.entries()) {
            if ("TABLE DATA".equals(e.desc())) {
                if (e.copyStmt() == null || e.copyStmt().isEmpty()) {
                    giveUp("the rows of " + e.display() + " are not COPY data");
                    return;
                }
                data.put(e.dumpId(), e);
            }
        }
        tables = data;
        intSize = archive.intSize();
        int dataStart = archive.headerAndTocLength();
        byte[] held = prefix;
        prefix = null;
        data(held, dataStart, prefixLength - dataStart);
    }

    /** Follows the data blocks: block type, dump id, then length-prefixed chunks up to a zero length. */
    private void data(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end && unusable == null) {
            switch (state) {
                case BLOCK_TYPE -> {
                    blockType = b[i++] & 0xff;
                    if (blockType != ArchiveReader.BLOCK_DATA && blockType != ArchiveReader.BLOCK_BLOBS) {
                        giveUp("the dump has a data block of unknown type " + blockType);
                    }
                    state = State.DUMP_ID;
                }
                case DUMP_ID, CHUNK_LENGTH, BLOB_OID -> {
                    int from = i;
                    i = readInt(b, i, end);
                    if (runFrom >= 0) {
                        runHeaderNewlines += newlines(b, from, i - from);
                    }
                    if (intRead == intSize + 1) {
                        intRead = 0;
                        long value = decodeInt();
                        if (state == State.CHUNK_LENGTH && value == 0) {
                            countRun(b, i);
                        }
                        integer(value);
                    }
                }
                case CHUNK -> {
                    int n = (int) Math.min(chunkLeft, end - i);
                    if (tally != null) {
                        if (runFrom < 0) {
                            runFrom = i;
                        }
                        tally.add(b, i, n);
                    }
                    i += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        state = State.CHUNK_LENGTH;
                    }
                }
            }
        }
        if (tally != null) {
            countRun(b, i);
            tally.settle();
        }
    }

    /**
     * Counts the newlines of the run of chunks that started at {@link #runFrom} in this array, up to
     * {@code to}, in one pass over the chunks and the length prefixes between them (pg_dump writes every row
     * as a chunk of its own, so counting chunk by chunk cost a call per row), less the prefixes' newline bytes.
     */
    private void countRun(byte[] b, int to) {
        if (runFrom >= 0) {
            tally.newlines += newlines(b, runFrom, to - runFrom) - runHeaderNewlines;
            runFrom = -1;
            runHeaderNewlines = 0;
        }
    }

    /** What a complete integer means in the current state. */
    private void integer(long value) {
        switch (state) {
            case DUMP_ID -> {
                table = blockType == ArchiveReader.BLOCK_DATA ? tables.get((int) value) : null;
                tally = table != null ? new Tally() : null;
                state = blockType == ArchiveReader.BLOCK_BLOBS ? State.BLOB_OID : State.CHUNK_LENGTH;
            }
            case BLOB_OID -> state = value == 0 ? State.BLOCK_TYPE : State.CHUNK_LENGTH;
            case CHUNK_LENGTH -> {
                if (value < 0) {
                    giveUp("the dump has a data chunk of impossible length " + value);
                } else if (value > 0) {
                    chunkLeft = value;
                    state = State.CHUNK;
                } else if (blockType == ArchiveReader.BLOCK_BLOBS) {
                    state = State.BLOB_OID;
                } else {
                    endOfBlock();
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void endOfBlock() {
        state = State.BLOCK_TYPE;
        if (tally == null) {
            return;
        }
        long count = tally.rows();
        if (count < 0) {
            giveUp("the data of " + table.display() + " does not end as COPY data does");
            return;
        }
        rows.merge(List.of(table.namespace() == null ? "" : table.namespace(), table.tag()), count, Long::sum);
        tally = null;
    }

    private int readInt(byte[] b, int i, int end) {
        while (i < end && intRead < intSize + 1) {
            intBytes[intRead++] = b[i++];
        }
        return i;
    }

    /** An integer as pg_dump writes it: a sign byte, then intSize bytes, least significant first. */
    private long decodeInt() {
        long v = 0;
        for (int k = 0; k < intSize; k++) {
            v |= (long) (intBytes[1 + k] & 0xff) << (8 * k);
        }
        return intBytes[0] == 0 ? v : -v;
    }

    /**
     * The newlines of one table's data block and how it ends: its rows are its newlines, less the empty lines
     * after an end marker {@code \.} that is a line of its own.
     */
    static final class Tally {
        /** Room for the marker, the newline before it and a run of empty lines after it. */
        private static final int TAIL = 64;
        private final byte[] tail = new byte[TAIL];
        private int tailLength;
        private long newlines;
        private long bytes;
        /**
         * The array whose {@link #TAIL} bytes before {@link #lastEnd} are the tail, while the caller's array is
         * still valid: copied only when a shorter piece follows or the caller is done with the array
         * ({@link #settle}), not for every piece (pg_dump writes every row as a piece of its own).
         */
        private byte[] last;
        private int lastEnd;

        /** The next bytes of the block (their newlines are counted by the caller). */
        void add(byte[] b, int off, int len) {
            bytes += len;
            if (len >= TAIL) {
                last = b;
                lastEnd = off + len;
                return;
            }
            settle();
            int old = Math.min(tailLength, TAIL - len);
            System.arraycopy(tail, tailLength - old, tail, 0, old);
            System.arraycopy(b, off, tail, old, len);
            tailLength = old + len;
        }

        /** Copies the tail out of the caller's array (before it is reused). */
        void settle() {
            if (last != null) {
                System.arraycopy(last, lastEnd - TAIL, tail, 0, TAIL);
                tailLength = TAIL;
                last = null;
            }
        }

        /**
         * The rows, or -1 when the block ends in a way COPY data does not (no newline at its end) or the run of
         * newlines at its end is too long to see what precedes it.
         */
        long rows() {
            settle();
            if (bytes == 0) {
                return 0;
            }
            int end = tailLength;
            while (end > 0 && tail[end - 1] == '\n') {
                end--;
            }
            int emptyLines = tailLength - end;
            if (emptyLines == 0 || end < 3 && bytes > tailLength) {
                return -1;
            }
            int start = end - 2;
            boolean marker = start >= 0 && tail[start] == '\\' && tail[start + 1] == '.'
                    && (start == 0 ? bytes == tailLength : tail[start - 1] == '\n');
            return marker ? newlines - emptyLines : newlines;
        }
    }

    /** The number of newline bytes in {@code b[off, off + len)}, eight bytes at a time. */
    static long newlines(byte[] b, int off, int len) {
        long n = 0;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES;
            // a byte's high bit stays clear exactly when the byte is zero, that is when it was a newline
            long nonZero = ((x & LOW7) + LOW7) | x;
            n += Long.bitCount(~nonZero & HIGH);
        }
        for (; i < end; i++) {
            if (b[i] == '\n') {
                n++;
            }
        }
        return n;
    }
}
