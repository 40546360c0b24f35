package dev.lifeboat.postgres.logical;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small custom-format archives as pg_dump writes them to a pipe (version 1.14, 4-byte integers,
 * 8-byte offsets, no compression, data offsets not set), for tests of {@link ArchiveReader}.
 */
final class TestArchive {
    private record Entry(int id, String desc, String namespace, String tag, int section, String defn, String copyStmt,
                         boolean hasData) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final ByteArrayOutputStream blocks = new ByteArrayOutputStream();
    private int major = 1;
    private int minor = 14;
    private int compression;

    /**
     * Users (two rows, one with an escaped newline, then pg_dump's end marker), a large object, and an empty
     * table.
     */
    static TestArchive sample() {
        return new TestArchive()
                .entry(1, "ENCODING", null, "ENCODING", 1, "SET client_encoding = 'UTF8';\n", null, false)
                .entry(2, "TABLE", "public", "users", 1, "CREATE TABLE public.users (id int, v text);\n", null, false)
                .tableData(3, "public", "users")
                .entry(4, "BLOBS", null, "BLOBS", 3, "", null, true)
                .tableData(5, "public", "empty")
                .dataBlock(3, "1\tZoë\n", "2\tline\\nbreak\n", "\\.\n\n\n")
                .blobsBlock(4, 16500, "large object ✓")
                .dataBlock(5, "\\.\n\n\n");
    }

    TestArchive version(int major, int minor) {
        this.major = major;
        this.minor = minor;
        return this;
    }

    TestArchive compression(int level) {
        this.compression = level;
        return this;
    }

    TestArchive entry(int id, String desc, String namespace, String tag, int section, String defn, String copyStmt,
                      boolean hasData) {
        entries.add(new Entry(id, desc, namespace, tag, section, defn, copyStmt, hasData));
        return this;
    }

    /** A TABLE DATA entry for {@code namespace.tag} with the COPY statement pg_dump writes. */
    TestArchive tableData(int id, String namespace, String tag) {
        return entry(id, "TABLE DATA", namespace, tag, 3, "",
                "COPY " + namespace + "." + tag + " (id, v) FROM stdin;\n", true);
    }

    /** A data block of the given chunks. */
    TestArchive dataBlock(int id, String... chunks) {
        blocks.write(ArchiveReader.BLOCK_DATA);
        writeInt(blocks, id);
        for (String c : chunks) {
            byte[] b = c.getBytes(StandardCharsets.UTF_8);
            writeInt(blocks, b.length);
            blocks.writeBytes(b);
        }
        writeInt(blocks, 0);
        return this;
    }

    /** A large-object block holding one object. */
    TestArchive blobsBlock(int id, int oid, String content) {
        blocks.write(ArchiveReader.BLOCK_BLOBS);
        writeInt(blocks, id);
        writeInt(blocks, oid);
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        writeInt(blocks, b.length);
        blocks.writeBytes(b);
        writeInt(blocks, 0);
        writeInt(blocks, 0);
        return this;
    }

    byte[] headerAndToc() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("PGDMP".getBytes(StandardCharsets.US_ASCII));
        out.write(major);
        out.write(minor);
        out.write(0);
        out.write(4);
        out.write(8);
        out.write(1);
        writeInt(out, compression);
        for (int v : new int[] {5, 4, 3, 22, 10, 126, 0}) {
            writeInt(out, v);
        }
        writeString(out, "shop");
        writeString(out, "15.18");
        writeString(out, "15.18");
        writeInt(out, entries.size());
        for (Entry e : entries) {
            writeInt(out, e.id());
            writeInt(out, 1);
            writeString(out, "0");
            writeString(out, "16384");
            writeString(out, e.tag());
            writeString(out, e.desc());
            writeInt(out, e.section());
            writeString(out, e.defn());
            writeString(out, "");
            writeString(out, e.copyStmt());
            writeString(out, e.namespace());
            writeString(out, "");
            writeString(out, "heap");
            writeString(out, "postgres");
            writeString(out, "false");
            writeString(out, "1");
            writeString(out, null);
            out.write(e.hasData() ? 1 : 3);
            out.writeBytes(new byte[8]);
        }
        return out.toByteArray();
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(headerAndToc());
        out.writeBytes(blocks.toByteArray());
        return out.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v < 0 ? 1 : 0);
        int a = Math.abs(v);
        for (int i = 0; i < 4; i++) {
            out.write((a >>> (8 * i)) & 0xff);
        }
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        if (s == null) {
            writeInt(out, -1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeInt(out, b.length);
        out.writeBytes(b);
    }
}
