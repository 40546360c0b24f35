package dev.lifeboat.postgres.logical;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class ArchiveReaderTest {
    private static TestArchive sample() {
        return TestArchive.sample();
    }

    /** Every block as "type id: content", data chunks concatenated, large-object blocks copied raw. */
    private static List<String> readAll(ArchiveReader archive) throws IOException {
        List<String> out = new ArrayList<>();
        ArchiveReader.Block block;
        while ((block = archive.nextBlock()) != null) {
            if (block.type() == ArchiveReader.BLOCK_BLOBS) {
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                archive.copyBlock(block, raw);
                out.add("blobs " + block.dumpId() + ": " + raw.size() + " bytes");
                continue;
            }
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            int n;
            while ((n = archive.nextChunk()) > 0) {
                byte[] buf = new byte[n];
                archive.readChunk(buf, 0, n);
                data.writeBytes(buf);
            }
            out.add("data " + block.dumpId() + ": " + data.toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void readsTheTableOfContentsAndEveryDataBlockInArchiveOrder() throws IOException {
        ArchiveReader archive = ArchiveReader.open(new ByteArrayInputStream(sample().bytes()));

        assertThat(archive.unsupported()).isNull();
        assertThat(archive.entries()).extracting(ArchiveReader.TocEntry::dumpId, ArchiveReader.TocEntry::desc,
                        ArchiveReader.TocEntry::hasData)
                .containsExactly(tuple(1, "ENCODING", false),
                        tuple(2, "TABLE", false),
                        tuple(3, "TABLE DATA", true),
                        tuple(4, "BLOBS", true),
                        tuple(5, "TABLE DATA", true));
        assertThat(archive.entries().get(2).copyStmt()).isEqualTo("COPY public.users (id, v) FROM stdin;\n");
        assertThat(archive.entries().get(2).display()).isEqualTo("public.users");
        assertThat(readAll(archive)).containsExactly("data 3: 1\tZoë\n2\tline\\nbreak\n\\.\n\n\n",
                "blobs 4: " + (1 + 5 + 5 + 5 + "large object ✓".getBytes(StandardCharsets.UTF_8).length + 5 + 5)
                        + " bytes", "data 5: \\.\n\n\n");
    }

    @Test
    void keepsTheHeaderAndTableOfContentsByteForByte() {
        TestArchive sample = sample();

        ArchiveReader archive = ArchiveReader.open(new ByteArrayInputStream(sample.bytes()));

        assertThat(archive.headerAndToc()).isEqualTo(sample.headerAndToc());
    }

    @Test
    void passesALargeObjectBlockOnUnchanged() throws IOException {
        byte[] bytes = new TestArchive().entry(4, "BLOBS", null, "BLOBS", 3, "", null, true)
                .blobsBlock(4, 16500, "large object ✓").bytes();
        ArchiveReader archive = ArchiveReader.open(new ByteArrayInputStream(bytes));
        ByteArrayOutputStream copy = new ByteArrayOutputStream();

        archive.copyBlock(archive.nextBlock(), copy);

        assertThat(copy.toByteArray()).isEqualTo(Arrays.copyOfRange(bytes, archive.headerAndToc().length, bytes.length));
        assertThat(archive.nextBlock()).isNull();
    }

    @Test
    void refusesAStreamThatIsNotAnArchiveWithAClearMessage() {
        byte[] sql = "--\n-- PostgreSQL database dump\n--\n".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ArchiveReader.open(new ByteArrayInputStream(sql)))
                .isInstanceOfSatisfying(LifeboatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY))
                .hasMessage("the dump is not a readable custom-format archive: it does not start with 'PGDMP'");
    }

    @Test
    void anArchiveCutAnywhereFailsClearlyOrEndsAtABlockBoundary() {
        byte[] whole = sample().bytes();
        int toc = sample().headerAndToc().length;
        List<String> complete = read(whole);
        for (int cut = 0; cut < whole.length; cut++) {
            byte[] part = Arrays.copyOf(whole, cut);
            try {
                List<String> blocks = read(part);
                assertThat(cut).as("a cut at %d read as complete", cut).isGreaterThanOrEqualTo(toc);
                assertThat(blocks.size()).as("cut at %d", cut).isLessThan(complete.size());
                assertThat(blocks).as("cut at %d", cut).isEqualTo(complete.subList(0, blocks.size()));
            } catch (LifeboatException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                assertThat(e.getMessage()).as("cut at %d", cut)
                        .isIn("the dump is not a readable custom-format archive: it ends inside its header or table of contents",
                                "the dump is not a readable custom-format archive: it ends inside a data block",
                                "the dump is not a readable custom-format archive: it does not start with 'PGDMP'");
            }
        }
    }

    @Test
    void randomlyDamagedArchivesFailOnlyWithIntegrityErrors() {
        byte[] whole = sample().bytes();
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            byte[] damaged = whole.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            try {
                read(damaged);
            } catch (LifeboatException e) {
                assertThat(e.code()).as("damage %d: %s", i, e.getMessage()).isEqualTo(ErrorCode.INTEGRITY);
                assertThat(e.getMessage()).startsWith("the dump is not a readable custom-format archive: ");
            }
        }
    }

    @ParameterizedTest(name = "{0}.{1}, compression {2}")
    @CsvSource(delimiter = '|', value = {
            "1|11|0|archive version 1.11.0 (this reader knows 1.12 to 1.14)",
            "1|15|0|archive version 1.15.0 (this reader knows 1.12 to 1.14)",
            "2|0|0|archive version 2.0.0 (this reader knows 1.12 to 1.14)",
            "1|14|6|a compressed archive (compression level 6)"})
    void versionsAndFeaturesItDoesNotKnowAreReportedNotRead(int major, int minor, int compression, String why) {
        byte[] bytes = sample().version(major, minor).compression(compression).bytes();

        ArchiveReader archive = ArchiveReader.open(new ByteArrayInputStream(bytes));

        assertThat(archive.unsupported()).isEqualTo(why);
        assertThat(archive.entries()).isEmpty();
        assertThat(StreamedRestore.unsupported(archive)).isEqualTo(why);
    }

    @Test
    void rowsInAnotherEncodingOrAsInsertStatementsAreLeftToPgRestore() {
        byte[] latin1 = new TestArchive()
                .entry(1, "ENCODING", null, "ENCODING", 1, "SET client_encoding = 'LATIN1';\n", null, false).bytes();
        byte[] inserts = new TestArchive()
                .entry(3, "TABLE DATA", "public", "users", 3, "", "", true).bytes();

        assertThat(StreamedRestore.unsupported(ArchiveReader.open(new ByteArrayInputStream(latin1))))
                .isEqualTo("client encoding 'SET client_encoding = 'LATIN1';' (rows are loaded as UTF8)");
        assertThat(StreamedRestore.unsupported(ArchiveReader.open(new ByteArrayInputStream(inserts))))
                .isEqualTo("rows of 'public.users' stored as SQL statements, not COPY data");
        assertThat(StreamedRestore.unsupported(ArchiveReader.open(new ByteArrayInputStream(sample().bytes())))).isNull();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "'1\\ta\\n\\\\.\\n\\n\\n'|4",
            "'\\\\.\\n\\n\\n'|0",
            "'\\\\.\\n'|0",
            "'1\\ta\\n'|4",
            "'1\\ta\\n\\n'|5",
            "'1\\tx\\\\.\\n'|6",
            "''|0"})
    void theEndMarkerIsDroppedOnlyWhenItIsALineOfItsOwnFollowedByEmptyLines(String escaped, int rows) {
        byte[] data = unescape(escaped).getBytes(StandardCharsets.UTF_8);

        assertThat(StreamedRestore.withoutEndMarker(data, data.length)).isEqualTo(rows);
    }

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource(delimiter = '|', value = {
            "public|users|COPY public.users (id) FROM stdin;|public.users",
            "Audit Log|Events|COPY \"Audit Log\".\"Events\" (\"Id\") FROM stdin;|\"Audit Log\".\"Events\"",
            "public|part_1|COPY public.parent (id) FROM stdin;|"})
    void onlyATableCopiedIntoItselfIsTruncatedForAFrozenCopy(String schema, String table, String copy, String expected) {
        ArchiveReader.TocEntry e = new ArchiveReader.TocEntry(3, "TABLE DATA", schema, table, 3, "", copy + "\n", true);

        assertThat(StreamedRestore.freezable(e)).isEqualTo(expected);
    }

    private static List<String> read(byte[] bytes) {
        try {
            ArchiveReader archive = ArchiveReader.open(new ByteArrayInputStream(bytes));
            return archive.unsupported() == null ? readAll(archive) : List.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Test tables spell newlines and tabs as \n and \t, and a backslash as \\. */
    private static String unescape(String s) {
        return s.replace("\\\\", "\u0000").replace("\\n", "\n").replace("\\t", "\t").replace("\u0000", "\\");
    }
}
