package dev.lifeboat.postgres.logical;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a custom-format archive of pg_dump ({@code -Fc}) front to back, as it comes from a pipe: the
 * header and table of contents first (kept as raw bytes too, so that pg_restore can read them from a small
 * file), then one data block at a time. Follows {@code pg_backup_archiver.c} and {@code pg_backup_custom.c}
 * of PostgreSQL 15 for archive versions 1.12 to 1.14 (PostgreSQL 9.6 to 15). Other versions are read up to
 * the version number only and reported by {@link #unsupported()}, so that the caller can hand the archive
 * to pg_restore whole instead. Damaged input (bad magic, a truncated stream, impossible lengths) fails with
 * a clear error, never with a wrong reading.
 */
public final class ArchiveReader {
    /** A data block holding one TOC entry's data in length-prefixed chunks. */
    public static final int BLOCK_DATA = 1;
    /** A data block holding large objects: per object its OID and length-prefixed chunks. */
    public static final int BLOCK_BLOBS = 3;

    private static final int FORMAT_CUSTOM = 1;
    private static final int OFFSET_NO_DATA = 3;
    private static final int MIN_VERSION = version(1, 12);
    private static final int MAX_VERSION = version(1, 14) + 0xff;
    /** pg_dump writes a row per chunk, and no row exceeds PostgreSQL's 1 GiB limit on a field by much. */
    private static final int MAX_CHUNK = (1 << 30) + (1 << 20);
    /** No string in a TOC (a view's or function's definition) comes close to this. */
    private static final int MAX_STRING = 256 << 20;

    /** One entry of the table of contents. */
    public record TocEntry(int dumpId, String desc, String namespace, String tag, int section, String defn,
                           String copyStmt, boolean hasData) {
        /** schema.name, for messages. */
        public String display() {
            return namespace == null ? tag : namespace + "." + tag;
        }
    }

    /** The header of a data block: its type and the dump id of its TOC entry. */
    public record Block(int type, int dumpId) {
    }

    private final InputStream in;
    private final byte[] buf = new byte[64 << 10];
    private int pos;
    private int limit;
    private final int version;
    private final String unsupported;
    private final byte[] headerAndToc;
    private final List<TocEntry> entries;
    private int intSize;
    private int offSize;
    private ByteArrayOutputStream recording;
    private boolean inBlock;

    private ArchiveReader(InputStream in) throws IOException {
        this.in = in;
        this.recording = new ByteArrayOutputStream();
        byte[] magic = readBytes(5);
        if (!"PGDMP".equals(new String(magic, StandardCharsets.ISO_8859_1))) {
            throw damaged("it does not start with 'PGDMP'");
        }
        version = version(readByte(), readByte()) + readByte();
        if (version < MIN_VERSION) {
            unsupported = "archive version " + versionText(version) + " (this reader knows 1.12 to 1.14)";
        } else {
            unsupported = readRestOfHeader();
        }
        if (unsupported == null) {
            entries = readToc();
        } else {
            entries = List.of();
        }
        headerAndToc = recording.toByteArray();
        recording = null;
    }

    /**
     * Reads the header and, when the version is one this reader knows, the table of contents.
     *
     * @throws LifeboatException integrity, when the stream is not a custom-format archive or ends early
     */
    public static ArchiveReader open(InputStream in) {
        try {
            return new ArchiveReader(in);
        } catch (EOFException e) {
            throw damaged("it ends inside its header or table of contents");
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.FAILURE, "cannot read the dump: " + e.getMessage());
        }
    }

    /**
     * Reads the header and table of contents from the first {@code length} bytes of an archive held in memory,
     * or returns null when those bytes end before the table of contents does.
     *
     * @throws LifeboatException integrity, when the bytes are not the start of a custom-format archive
     */
    static ArchiveReader openPrefix(byte[] bytes, int length) {
        boolean[] exhausted = {false};
        InputStream in = new InputStream() {
            private int pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= length) {
                    exhausted[0] = true;
                    return -1;
                }
                int n = Math.min(len, length - pos);
                System.arraycopy(bytes, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        try {
            return new ArchiveReader(in);
        } catch (EOFException e) {
            return null;
        } catch (LifeboatException e) {
            if (exhausted[0]) {
                return null;
            }
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The number of bytes of the header and table of contents: where the data blocks begin. */
    int headerAndTocLength() {
        return headerAndToc.length;
    }

    /** The size of the archive's integers in bytes (after the sign byte). */
    int intSize() {
        return intSize;
    }

    /** Why this reader cannot read past the header, or null when it can. */
    public String unsupported() {
        return unsupported;
    }

    /** The TOC, in archive order; empty when {@link #unsupported()}. */
    public List<TocEntry> entries() {
        return entries;
    }

    /** The header and TOC exactly as read: a valid archive without data that pg_restore accepts. */
    public byte[] headerAndToc() {
        return headerAndToc.clone();
    }

    /**
     * The next data block's header, or null at the end of the archive. The block's content must be read
     * with {@link #nextChunk} and {@link #readChunk}, or passed on with {@link #copyBlock}, before the next.
     */
    public Block nextBlock() throws IOException {
        requireSupported();
        if (inBlock) {
            throw new IllegalStateException("the previous block was not read to its end");
        }
        if (pos == limit && !fill()) {
            return null;
        }
        int type = buf[pos++] & 0xff;
        if (type != BLOCK_DATA && type != BLOCK_BLOBS) {
            throw damaged("it has a data block of unknown type " + type);
        }
        int id = readIntChecked();
        inBlock = true;
        return new Block(type, id);
    }

    /** The length of the next chunk of a {@link #BLOCK_DATA} block, or 0 at the block's end. */
    public int nextChunk() throws IOException {
        int n = readIntChecked();
        if (n < 0 || n > MAX_CHUNK) {
            throw damaged("it has a data chunk of impossible length " + n);
        }
        if (n == 0) {
            inBlock = false;
        }
        return n;
    }

    /** Reads a chunk of {@code length} bytes (as given by {@link #nextChunk}) into {@code buf} at {@code offset}. */
    public void readChunk(byte[] dst, int offset, int length) throws IOException {
        while (length > 0) {
            if (pos == limit && !fill()) {
                throw damaged("it ends inside a data block");
            }
            int n = Math.min(length, limit - pos);
            System.arraycopy(buf, pos, dst, offset, n);
            pos += n;
            offset += n;
            length -= n;
        }
    }

    /**
     * Writes the current block, from its header on, to {@code out} byte for byte: the form in which pg_restore
     * reads it from a stream.
     */
    public void copyBlock(Block block, OutputStream out) throws IOException {
        if (!inBlock) {
            throw new IllegalStateException("no block is open");
        }
        out.write(block.type());
        writeInt(out, block.dumpId());
        if (block.type() == BLOCK_BLOBS) {
            while (true) {
                int oid = readIntChecked();
                writeInt(out, oid);
                if (oid == 0) {
                    break;
                }
                copyChunks(out);
            }
        } else {
            copyChunks(out);
        }
        inBlock = false;
    }

    private void copyChunks(OutputStream out) throws IOException {
        while (true) {
            int n = readIntChecked();
            if (n < 0 || n > MAX_CHUNK) {
                throw damaged("it has a data chunk of impossible length " + n);
            }
            writeInt(out, n);
            if (n == 0) {
                return;
            }
            while (n > 0) {
                if (pos == limit && !fill()) {
                    throw damaged("it ends inside a data block");
                }
                int r = Math.min(n, limit - pos);
                out.write(buf, pos, r);
                pos += r;
                n -= r;
            }
        }
    }

    private void writeInt(OutputStream out, int value) throws IOException {
        out.write(value < 0 ? 1 : 0);
        long v = Math.abs((long) value);
        for (int i = 0; i < intSize; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    private void requireSupported() {
        if (unsupported != null) {
            throw new IllegalStateException("unsupported archive: " + unsupported);
        }
    }

    /** Reads the header after the version; returns why the archive is unsupported, or null. */
    private String readRestOfHeader() throws IOException {
        intSize = readByte();
        int offSize = readByte();
        if (intSize < 1 || intSize > 8 || offSize < 1 || offSize > 8) {
            throw damaged("its header gives integers of " + intSize + " and offsets of " + offSize + " bytes");
        }
        if (version > MAX_VERSION) {
            return "archive version " + versionText(version) + " (this reader knows 1.12 to 1.14)";
        }
        int format = readByte();
        if (format != FORMAT_CUSTOM) {
            return "archive format " + format + " (only the custom format is read)";
        }
        int compression = readInt();
        for (int i = 0; i < 7; i++) {
            readInt(); // creation time: seconds, minutes, hours, day, month, year, isdst
        }
        readString(); // database name
        readString(); // server version
        readString(); // pg_dump version
        this.offSize = offSize;
        return compression == 0 ? null : "a compressed archive (compression level " + compression + ")";
    }

    private List<TocEntry> readToc() throws IOException {
        int count = readIntChecked();
        if (count < 0) {
            throw damaged("its table of contents has " + count + " entries");
        }
        List<TocEntry> out = new ArrayList<>(Math.min(count, 1 << 16));
        for (int i = 0; i < count; i++) {
            int dumpId = readIntChecked();
            if (dumpId <= 0) {
                throw damaged("a TOC entry has dump id " + dumpId);
            }
            readInt(); // had dumper
            readString(); // table oid
            readString(); // oid
            String tag = readString();
            String desc = readString();
            int section = readInt();
            String defn = readString();
            readString(); // drop statement
            String copyStmt = readString();
            String namespace = readString();
            readString(); // tablespace
            if (version >= version(1, 14)) {
                readString(); // table access method
            }
            readString(); // owner
            readString(); // "with oids", always false
            while (readString() != null) {
                // dependencies, as dump ids in text, up to a null string
            }
            int dataState = readByte();
            readBytes(offSize);
            if (desc == null) {
                throw damaged("TOC entry " + dumpId + " has no type");
            }
            out.add(new TocEntry(dumpId, desc, namespace, tag, section, defn, copyStmt, dataState != OFFSET_NO_DATA));
        }
        return List.copyOf(out);
    }

    /** Refills the buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        int n = in.read(buf);
        while (n == 0) {
            n = in.read(buf);
        }
        if (n < 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private int readByte() throws IOException {
        if (pos == limit && !fill()) {
            throw new EOFException();
        }
        int b = buf[pos++] & 0xff;
        if (recording != null) {
            recording.write(b);
        }
        return b;
    }

    private byte[] readBytes(int n) throws IOException {
        byte[] b = new byte[n];
        for (int i = 0; i < n; ) {
            if (pos == limit && !fill()) {
                throw new EOFException();
            }
            int r = Math.min(n - i, limit - pos);
            System.arraycopy(buf, pos, b, i, r);
            pos += r;
            i += r;
        }
        if (recording != null) {
            recording.write(b);
        }
        return b;
    }

    /** An integer as pg_dump writes it: a sign byte, then intSize bytes, least significant first. */
    private int readInt() throws IOException {
        int sign = readByte();
        long v = 0;
        for (int i = 0; i < intSize; i++) {
            v |= (long) readByte() << (8 * i);
        }
        if (v > Integer.MAX_VALUE) {
            throw damaged("it holds the integer " + v + ", out of range");
        }
        return sign == 0 ? (int) v : (int) -v;
    }

    private int readIntChecked() throws IOException {
        try {
            return readInt();
        } catch (EOFException e) {
            throw damaged(recording != null ? "it ends inside its header or table of contents"
                    : "it ends inside a data block");
        }
    }

    private String readString() throws IOException {
        int n = readInt();
        if (n < 0) {
            return null;
        }
        if (n > MAX_STRING) {
            throw damaged("it holds a string of " + n + " bytes");
        }
        return new String(readBytes(n), StandardCharsets.UTF_8);
    }

    private static int version(int major, int minor) {
        return (major << 16) | (minor << 8);
    }

    private static String versionText(int v) {
        return (v >> 16) + "." + ((v >> 8) & 0xff) + "." + (v & 0xff);
    }

    private static LifeboatException damaged(String why) {
        return LifeboatException.integrity("the dump is not a readable custom-format archive: " + why);
    }
}
