package dev.lifeboat.postgres.logical;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.postgres.ConnectionSpec;
import dev.lifeboat.postgres.PgProcess;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Restores a custom-format archive while it streams in, with no copy of it on disk but its header and
 * table of contents (the TOC file, a few kilobytes): pg_restore restores the schema (the pre-data section)
 * from the TOC file; Lifeboat loads the table rows with COPY on {@code jobs} connections, cutting each
 * table's rows into pieces so that one big table loads on all of them; the other data (large objects,
 * sequence values) goes to a pg_restore that reads the header, the TOC and just those blocks from a pipe;
 * last, {@code pg_restore --jobs} builds indexes, constraints and triggers (the post-data section) from the
 * TOC file.
 */
public final class StreamedRestore {
    /** Rows are loaded in pieces of about this size: big enough that a COPY's start-up cost vanishes. */
    static final int PIECE_BYTES = 8 << 20;
    /** A piece is cut at a newline at least this far before its end: a COPY end marker stays whole. */
    private static final int TAIL = 8;
    private static final String ENCODING_UTF8 = "SET client_encoding = 'UTF8';";
    private static final byte[] END_MARKER = "\\.".getBytes(StandardCharsets.US_ASCII);

    /** Where and how to restore. */
    public record Options(Path pgRestore, ConnectionSpec target, int jobs, boolean noOwner) {
        public Options {
            if (jobs < 1) {
                throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
            }
        }

        /** A pg_restore command line into the target with these options, then {@code args}. */
        public List<String> command(List<String> args) {
            List<String> cmd = new ArrayList<>(List.of(pgRestore.toString(), "--no-password", "--exit-on-error",
                    "--dbname=" + target.database()));
            if (noOwner) {
                cmd.add("--no-owner");
                cmd.add("--no-privileges");
            }
            cmd.addAll(args);
            return cmd;
        }
    }

    private StreamedRestore() {
    }

    /**
     * Why this archive cannot be restored this way (then pg_restore must read it whole), or null when it can:
     * an archive version or compression this reader does not know, a client encoding other than UTF8 (rows
     * travel over a UTF8 connection), or rows stored as INSERT statements.
     */
    public static String unsupported(ArchiveReader archive) {
        if (archive.unsupported() != null) {
            return archive.unsupported();
        }
        for (ArchiveReader.TocEntry e : archive.entries()) {
            if ("ENCODING".equals(e.desc()) && !ENCODING_UTF8.equals(String.valueOf(e.defn()).strip())) {
                return "client encoding '" + String.valueOf(e.defn()).strip() + "' (rows are loaded as UTF8)";
            }
            if (isRows(e) && (e.copyStmt() == null || !e.copyStmt().startsWith("COPY ")
                    || !e.copyStmt().strip().endsWith("FROM stdin;"))) {
                return "rows of '" + e.display() + "' stored as SQL statements, not COPY data";
            }
        }
        return null;
    }

    private static boolean isRows(ArchiveReader.TocEntry e) {
        return "TABLE DATA".equals(e.desc()) && e.hasData();
    }

    /**
     * Restores the archive into the existing, empty target database, reading it to its end.
     *
     * @param archive an archive just opened (its data blocks not read yet) that {@link #unsupported} accepts
     * @param tocFile a file holding exactly {@link ArchiveReader#headerAndToc()} of this archive
     */
    public static void run(ArchiveReader archive, Path tocFile, Options options) throws IOException {
        String unsupported = unsupported(archive);
        if (unsupported != null) {
            throw new IllegalArgumentException("unsupported archive: " + unsupported);
        }
        Map<Integer, ArchiveReader.TocEntry> rows = new HashMap<>();
        List<String> setup = new ArrayList<>(List.of("SET statement_timeout = 0", "SET lock_timeout = 0",
                "SET idle_in_transaction_session_timeout = 0", "SET row_security = off", "SET xmloption = content",
                "SET check_function_bodies = false", "SET client_min_messages = warning"));
        for (ArchiveReader.TocEntry e : archive.entries()) {
            if (isRows(e)) {
                rows.put(e.dumpId(), e);
            }
            // the settings pg_restore makes before it loads rows: string syntax and an empty search path
            if (("STDSTRINGS".equals(e.desc()) || "SEARCHPATH".equals(e.desc())) && e.defn() != null) {
                setup.add(e.defn().strip());
            }
        }
        pgRestore(options, List.of("--section=pre-data", tocFile.toString()));
        Set<Integer> rest = restIds(options, tocFile, rows.keySet());
        try (RestProcess restProcess = rest.isEmpty() ? null : new RestProcess(options, tocFile, archive, rest);
             CopyLoader loader = new CopyLoader(options.target(), setup, options.jobs(), PIECE_BYTES)) {
            ArchiveReader.Block block;
            while ((block = archive.nextBlock()) != null) {
                ArchiveReader.TocEntry e = rows.get(block.dumpId());
                if (e != null && block.type() == ArchiveReader.BLOCK_DATA) {
                    loadRows(archive, e, loader);
                } else if (restProcess != null && rest.contains(block.dumpId())) {
                    restProcess.write(archive, block);
                } else {
                    throw LifeboatException.integrity("the dump has a data block for TOC entry " + block.dumpId()
                            + ", which is not in its data section");
                }
            }
            loader.finish();
            if (restProcess != null) {
                restProcess.finish();
            }
        }
        pgRestore(options, List.of("--jobs=" + options.jobs(), "--section=post-data", tocFile.toString()));
    }

    /**
     * Cuts a block's COPY text into pieces of whole rows and queues them; drops the end marker. With one
     * connection, a table loads in one transaction and COPY freezes its rows; with more, its pieces spread
     * over them (each its own transaction, not frozen), so that one big table loads on all of them. A table
     * that fits in one piece is frozen either way.
     */
    private static void loadRows(ArchiveReader archive, ArchiveReader.TocEntry e, CopyLoader loader)
            throws IOException {
        String table = e.display();
        String truncate = freezable(e);
        boolean split = loader.connections() > 1;
        byte[] buf = loader.buffer();
        int len = 0;
        boolean first = true;
        int n;
        while ((n = archive.nextChunk()) > 0) {
            if (len + n > buf.length) {
                int cut = lastRowEnd(buf, len - TAIL);
                if (cut > 0) {
                    byte[] next = loader.buffer();
                    System.arraycopy(buf, cut, next, 0, len - cut);
                    if (split) {
                        loader.load(e.copyStmt(), null, table, buf, cut, true, true);
                    } else {
                        loader.load(e.copyStmt(), truncate, table, buf, cut, first, false);
                    }
                    first = false;
                    buf = next;
                    len -= cut;
                }
                if (len + n > buf.length) {
                    // a row longer than a piece: this buffer grows to hold it
                    buf = Arrays.copyOf(buf, Math.max(len + n, 2 * buf.length));
                }
            }
            archive.readChunk(buf, len, n);
            len += n;
        }
        len = withoutEndMarker(buf, len);
        if (first && len == 0) {
            loader.release(buf);
        } else if (split) {
            loader.load(e.copyStmt(), first ? truncate : null, table, buf, len, true, true);
        } else {
            loader.load(e.copyStmt(), truncate, table, buf, len, first, true);
        }
    }

    /**
     * The table that the entry's COPY fills, quoted as pg_dump quotes it, when it is the entry's own table (not
     * a partition's root, as with --load-via-partition-root): only then may its truncation let COPY freeze
     * the rows. Null otherwise.
     */
    static String freezable(ArchiveReader.TocEntry e) {
        if (e.namespace() == null || e.tag() == null) {
            return null;
        }
        String qualified = TableCount.quote(e.namespace()) + "." + TableCount.quote(e.tag());
        return e.copyStmt().startsWith("COPY " + qualified + " ") ? qualified : null;
    }

    /** The position after the last newline before {@code limit}, or 0. */
    private static int lastRowEnd(byte[] buf, int limit) {
        for (int i = limit - 1; i >= 0; i--) {
            if (buf[i] == '\n') {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * The length of the rows before pg_dump's end marker: a line {@code \.} followed only by empty lines
     * (PostgreSQL up to 16 write {@code \.} and two empty lines). Without a marker, everything is rows.
     */
    static int withoutEndMarker(byte[] buf, int len) {
        int end = len;
        while (end > 0 && buf[end - 1] == '\n') {
            end--;
        }
        int start = end - END_MARKER.length;
        if (end == len || start < 0 || buf[start] != '\\' || buf[start + 1] != '.') {
            return len;
        }
        return start == 0 || buf[start - 1] == '\n' ? start : len;
    }

    /** The dump ids pg_restore would restore in the data section, without those whose rows Lifeboat loads. */
    private static Set<Integer> restIds(Options options, Path tocFile, Set<Integer> loaded) {
        String list = PgProcess.run(List.of(options.pgRestore().toString(), "--list", "--section=data",
                tocFile.toString()), options.target().childEnvironment(), false);
        Set<Integer> ids = new HashSet<>();
        for (String line : list.lines().toList()) {
            int semi = line.indexOf(';');
            if (semi > 0 && !line.startsWith(";")) {
                int id = Integer.parseInt(line.substring(0, semi).strip());
                if (!loaded.contains(id)) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    private static void pgRestore(Options options, List<String> args) {
        try (PgProcess p = PgProcess.start(options.command(args), options.target().childEnvironment(), null, false)) {
            p.stdin().close();
            p.stdout().transferTo(OutputStream.nullOutputStream());
            p.waitSuccess();
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.DATABASE, "running pg_restore failed: "
                    + e.getMessage(), null);
        }
    }

    /**
     * A pg_restore that restores the data entries Lifeboat does not load itself from a stream: the header and
     * TOC, then the blocks of just those entries, in archive order.
     */
    private static final class RestProcess implements AutoCloseable {
        private final PgProcess process;
        private final OutputStream in;
        private final Thread drain;
        private final Path list;

        RestProcess(Options options, Path tocFile, ArchiveReader archive, Set<Integer> ids) throws IOException {
            list = Files.createTempFile(tocFile.getParent(), "lifeboat-restore-", ".list");
            StringBuilder sb = new StringBuilder();
            for (ArchiveReader.TocEntry e : archive.entries()) {
                if (ids.contains(e.dumpId())) {
                    sb.append(e.dumpId()).append(";\n");
                }
            }
            Files.writeString(list, sb.toString());
            process = PgProcess.start(options.command(List.of("--use-list=" + list)),
                    options.target().childEnvironment(), null, false);
            drain = Thread.ofPlatform().daemon().name("pg-restore-stdout").start(() -> {
                try {
                    process.stdout().transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            in = new BufferedOutputStream(process.stdin(), 64 << 10);
            try {
                in.write(archive.headerAndToc());
            } catch (IOException e) {
                throw failed(e);
            }
        }

        void write(ArchiveReader archive, ArchiveReader.Block block) throws IOException {
            try {
                archive.copyBlock(block, in);
            } catch (IOException e) {
                throw failed(e);
            }
        }

        void finish() throws IOException {
            try {
                in.close();
            } catch (IOException e) {
                throw failed(e);
            }
            process.waitSuccess();
        }

        /** A write failed because pg_restore ended: its own error says why. */
        private IOException failed(IOException e) {
            process.waitSuccess();
            return e;
        }

        @Override
        public void close() throws IOException {
            process.close();
            try {
                drain.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(list);
        }
    }
}
