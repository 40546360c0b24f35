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

/**
 * The plaintext of an index object (before zstd and sealing): magic "LBIX", version 1, the ids of the
 * index objects it supersedes, then per pack its id and entries. All integers are u32 big-endian.
 */
public record IndexFile(List<BlobId> supersedes, Map<BlobId, List<PackEntry>> packs) {
    private static final byte[] MAGIC = "LBIX".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int MAX_DECOMPRESSED = 1 << 30;

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
        byte[] plain;
        try {
            long size = Zstd.getFrameContentSize(compressed);
            if (size < 0 || size > MAX_DECOMPRESSED) {
                throw LifeboatException.integrity(what + " has an invalid size");
            }
            plain = Zstd.decompress(compressed, (int) size);
        } catch (RuntimeException e) {
            if (e instanceof LifeboatException le) {
                throw le;
            }
            throw LifeboatException.integrity(what + " does not decompress");
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(plain).order(ByteOrder.BIG_ENDIAN);
            byte[] magic = new byte[4];
            in.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC) || in.get() != VERSION) {
                throw LifeboatException.integrity(what + " is not a version 1 index");
            }
            int n = checkedCount(in, 33, what);
            List<BlobId> supersedes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                supersedes.add(readId(in));
            }
            int packCount = checkedCount(in, 36, what);
            Map<BlobId, List<PackEntry>> packs = new LinkedHashMap<>();
            for (int p = 0; p < packCount; p++) {
                BlobId packId = readId(in);
                int entries = checkedCount(in, 46, what);
                List<PackEntry> list = new ArrayList<>(entries);
                for (int i = 0; i < entries; i++) {
                    BlobType type = BlobType.ofCode(in.get());
                    int flags = in.get();
                    if ((flags & ~1) != 0) {
                        throw LifeboatException.integrity(what + " has an entry with unknown flags " + flags);
                    }
                    int offset = in.getInt();
                    int length = in.getInt();
                    int raw = in.getInt();
                    list.add(new PackEntry(readId(in), type, (flags & 1) != 0, offset, length, raw));
                }
                packs.put(packId, list);
            }
            if (in.hasRemaining()) {
                throw LifeboatException.integrity(what + " has trailing bytes");
            }
            return new IndexFile(supersedes, packs);
        } catch (java.nio.BufferUnderflowException e) {
            throw LifeboatException.integrity(what + " is truncated");
        } catch (IllegalArgumentException e) {
            throw LifeboatException.integrity(what + " is malformed: " + e.getMessage());
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
