package dev.lifeboat.repo.index;

import com.github.luben.zstd.Zstd;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The plaintext of an index object (before zstd and sealing): magic "LBIX", version 1, the ids of the
 * index objects it supersedes, then per pack its id and entries. All integers are u32 big-endian.
 */
public record IndexFile(List<BlobId> supersedes, Map<BlobId, List<PackEntry>> packs) {
    private static final byte[] MAGIC = "LBIX".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int MAX_DECOMPRESSED = 1 << 30;
    /** type, flags, offset, sealed length, raw length, blob id. */
    private static final int ENTRY_BYTES = 1 + 1 + 4 + 4 + 4 + BlobId.BYTES;

    public IndexFile {
        supersedes = List.copyOf(supersedes);
        packs = new LinkedHashMap<>(packs);
    }

    public int blobCount() {
        return packs.values().stream().mapToInt(List::size).sum();
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + blobCount() * 50);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(VERSION);
            out.writeInt(supersedes.size());
            for (BlobId id : supersedes) {
                out.write(id.bytes());
            }
            out.writeInt(packs.size());
            for (Map.Entry<BlobId, List<PackEntry>> p : packs.entrySet()) {
                out.write(p.getKey().bytes());
                out.writeInt(p.getValue().size());
                for (PackEntry e : p.getValue()) {
                    out.writeByte(e.type().code());
                    out.writeByte(e.compressed() ? 1 : 0);
                    out.writeInt(e.offset());
                    out.writeInt(e.length());
                    out.writeInt(e.rawLength());
                    out.write(e.id().bytes());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Zstd.compress(bytes.toByteArray(), 3);
    }

    public static IndexFile decode(byte[] compressed, String what) {
        Map<BlobId, List<PackEntry>> packs = new LinkedHashMap<>();
        List<BlobId> supersedes = Plain.of(compressed, what).scan((pack, entries) -> {
            List<PackEntry> list = new ArrayList<>(entries.count());
            while (entries.next()) {
                list.add(entries.entry());
            }
            packs.put(pack, list);
        });
        return new IndexFile(supersedes, packs);
    }

    /**
     * The plaintext of an index object, named for messages, to be {@linkplain #scan scanned} without decoding
     * it into objects.
     */
    public record Plain(byte[] bytes, int length, String what) {
        /** Decompresses an index object's stored (decrypted) bytes. */
        public static Plain of(byte[] compressed, String what) {
            return of(compressed, compressed.length, what, byte[]::new);
        }

        /**
         * Decompresses the first {@code length} bytes of {@code compressed} into {@code buffer.apply(size)},
         * which may return a larger array (bulk readers reuse one).
         */
        public static Plain of(byte[] compressed, int length, String what, IntFunction<byte[]> buffer) {
            try {
                long size = Zstd.getFrameContentSize(compressed, 0, length);
                if (size < 0 || size > MAX_DECOMPRESSED) {
                    throw LifeboatException.integrity(what + " has an invalid size");
                }
                byte[] into = buffer.apply((int) size);
                long n = Zstd.decompressByteArray(into, 0, (int) size, compressed, 0, length);
                if (Zstd.isError(n) || n != size) {
                    throw LifeboatException.integrity(what + " does not decompress");
                }
                return new Plain(into, (int) size, what);
            } catch (RuntimeException e) {
                if (e instanceof LifeboatException le) {
                    throw le;
                }
                throw LifeboatException.integrity(what + " does not decompress");
            }
        }

        /** Scans the plaintext; see {@link IndexFile#scan}. */
        public List<BlobId> scan(Visitor visitor) {
            return IndexFile.scan(ByteBuffer.wrap(bytes, 0, length), what, visitor);
        }
    }

    /** Receives the packs of an index object while it is scanned. */
    public interface Visitor {
        /** One pack; the visitor may read all, some or none of its entries, which are valid during this call only. */
        void pack(BlobId pack, Entries entries);
    }

    /**
     * Reads a plaintext index object pack by pack without an object per entry, so that a caller can go
     * through the whole index keeping only what it needs. Entries the visitor reads are validated as
     * {@link #decode} validates them. Returns the ids of the index objects this one supersedes.
     */
    private static List<BlobId> scan(ByteBuffer plain, String what, Visitor visitor) {
        try {
            ByteBuffer in = plain.order(ByteOrder.BIG_ENDIAN);
            byte[] magic = new byte[4];
            in.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC) || in.get() != VERSION) {
                throw LifeboatException.integrity(what + " is not a version 1 index");
            }
            int n = checkedCount(in, BlobId.BYTES, what);
            List<BlobId> supersedes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                supersedes.add(readId(in));
            }
            int packCount = checkedCount(in, BlobId.BYTES + 4, what);
            Entries entries = new Entries(in, what);
            for (int p = 0; p < packCount; p++) {
                BlobId packId = readId(in);
                int count = checkedCount(in, ENTRY_BYTES, what);
                int end = in.position() + count * ENTRY_BYTES;
                entries.reset(count);
                visitor.pack(packId, entries);
                in.position(end);
            }
            if (in.hasRemaining()) {
                throw LifeboatException.integrity(what + " has trailing bytes");
            }
            return supersedes;
        } catch (java.nio.BufferUnderflowException e) {
            throw LifeboatException.integrity(what + " is truncated");
        }
    }

    /**
     * A cursor over one pack's entries in an index object being scanned: {@link #next} moves to the next
     * entry, whose fields the other methods return.
     */
    public static final class Entries {
        private final ByteBuffer in;
        private final String what;
        private int left;
        private int count;
        private int at = -1;
        private BlobType type;
        private boolean compressed;
        private int offset;
        private int length;
        private int rawLength;

        private Entries(ByteBuffer in, String what) {
            this.in = in;
            this.what = what;
        }

        private void reset(int count) {
            this.count = count;
            this.left = count;
        }

        /** The number of entries of the pack. */
        public int count() {
            return count;
        }

        /** Moves to the next entry; false when there is none. */
        public boolean next() {
            if (left == 0) {
                return false;
            }
            left--;
            at = in.position();
            try {
                type = BlobType.ofCode(in.get());
            } catch (IllegalArgumentException e) {
                throw LifeboatException.integrity(what + " is malformed: " + e.getMessage());
            }
            int flags = in.get();
            if ((flags & ~1) != 0) {
                throw LifeboatException.integrity(what + " has an entry with unknown flags " + flags);
            }
            compressed = flags == 1;
            offset = in.getInt();
            length = in.getInt();
            rawLength = in.getInt();
            if (offset < 0 || length <= 0 || rawLength < 0) {
                throw LifeboatException.integrity(what + " is malformed: invalid pack entry " + offset + "+" + length
                        + " raw " + rawLength);
            }
            in.position(at + ENTRY_BYTES);
            return true;
        }

        public BlobType type() {
            return type;
        }

        public int length() {
            return length;
        }

        /** The first 8 bytes of the blob id, as {@link BlobId#a()}. */
        public long idPrefix() {
            return in.getLong(at + ENTRY_BYTES - BlobId.BYTES);
        }

        public BlobId id() {
            return BlobId.of(in.array(), at + ENTRY_BYTES - BlobId.BYTES);
        }

        public PackEntry entry() {
            return new PackEntry(id(), type, compressed, offset, length, rawLength);
        }
    }

    private static int checkedCount(ByteBuffer in, int minBytesEach, String what) {
        int n = in.getInt();
        if (n < 0 || (long) n * minBytesEach > in.remaining()) {
            throw LifeboatException.integrity(what + " claims " + n + " entries that do not fit");
        }
        return n;
    }

    private static BlobId readId(ByteBuffer in) {
        byte[] b = new byte[BlobId.BYTES];
        in.get(b);
        return BlobId.of(b);
    }
}
