package dev.lifeboat.repo.pack;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.crypto.MasterKey;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The plaintext pack header: magic "LBPK", version 1, entry count (u32 LE), then per blob
 * type (u8), flags (u8, bit 0 = zstd), sealed length (u32 LE), raw length (u32 LE), id (32 bytes).
 * Offsets are implicit: blobs are laid end to end from the start of the pack.
 */
public final class PackHeader {
    static final byte[] MAGIC = "LBPK".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int ENTRY_BYTES = 1 + 1 + 4 + 4 + BlobId.BYTES;
    /** The most blobs a pack header may claim; guards decoders against absurd counts. */
    static final int MAX_ENTRIES = 1 << 20;

    private PackHeader() {
    }

    static byte[] encode(List<PackEntry> entries) {
        byte[] out = new byte[9 + entries.size() * ENTRY_BYTES];
        System.arraycopy(MAGIC, 0, out, 0, 4);
        out[4] = VERSION;
        writeIntLE(out, 5, entries.size());
        int p = 9;
        for (PackEntry e : entries) {
            out[p] = (byte) e.type().code();
            out[p + 1] = (byte) (e.compressed() ? 1 : 0);
            writeIntLE(out, p + 2, e.length());
            writeIntLE(out, p + 6, e.rawLength());
            e.id().writeTo(out, p + 10);
            p += ENTRY_BYTES;
        }
        return out;
    }

    /** Decodes a plaintext header; every offset is checked to lie inside {@code blobsLength}. */
    public static List<PackEntry> decode(byte[] h, long blobsLength, String what) {
        if (h.length < 9 || h[0] != MAGIC[0] || h[1] != MAGIC[1] || h[2] != MAGIC[2] || h[3] != MAGIC[3]) {
            throw LifeboatException.integrity(what + " has no pack header magic");
        }
        if (h[4] != VERSION) {
            throw LifeboatException.integrity(what + " has unsupported pack version " + h[4]);
        }
        int count = readIntLE(h, 5);
        if (count < 0 || count > MAX_ENTRIES || h.length != 9 + (long) count * ENTRY_BYTES) {
            throw LifeboatException.integrity(what + " header claims " + count + " blobs in " + h.length + " bytes");
        }
        List<PackEntry> entries = new ArrayList<>(count);
        long offset = 0;
        int p = 9;
        for (int i = 0; i < count; i++) {
            BlobType type;
            try {
                type = BlobType.ofCode(h[p]);
            } catch (IllegalArgumentException e) {
                throw LifeboatException.integrity(what + " entry " + i + ": " + e.getMessage());
            }
            int flags = h[p + 1];
            int length = readIntLE(h, p + 2);
            int raw = readIntLE(h, p + 6);
            if ((flags & ~1) != 0 || length < MasterKey.OVERHEAD || raw < 0 || offset + length > blobsLength) {
                throw LifeboatException.integrity(what + " entry " + i + " is invalid");
            }
            entries.add(new PackEntry(BlobId.of(h, p + 10), type, (flags & 1) != 0, (int) offset, length, raw));
            offset += length;
            p += ENTRY_BYTES;
        }
        return entries;
    }

    /** Reads and authenticates the header of a stored pack, using two ranged reads. */
    public static List<PackEntry> read(Backend backend, ObjectName pack, MasterKey key) {
        long size = backend.size(pack);
        return read(backend, pack, key, size);
    }

    public static List<PackEntry> read(Backend backend, ObjectName pack, MasterKey key, long size) {
        return read(backend, pack, key, size, "pack '" + pack.name() + "'");
    }

    /** Like {@link #read(Backend, ObjectName, MasterKey, long)}, with errors that name the pack as {@code what}. */
    public static List<PackEntry> read(Backend backend, ObjectName pack, MasterKey key, long size, String what) {
        return header(size, (offset, length) -> backend.getRange(pack, offset, length), key, what);
    }

    /** Parses the header from the complete bytes of a pack. */
    public static List<PackEntry> parse(byte[] pack, MasterKey key, String what) {
        return header(pack.length, (offset, length) -> Arrays.copyOfRange(pack, (int) offset, (int) offset + length),
                key, what);
    }

    /** Reads ranges of a pack. */
    private interface Ranges {
        byte[] get(long offset, int length);
    }

    /** The header of a pack of {@code size} bytes: its length from the last 4 bytes, then the sealed header. */
    private static List<PackEntry> header(long size, Ranges pack, MasterKey key, String what) {
        if (size < 4 + MasterKey.OVERHEAD) {
            throw LifeboatException.integrity(what + " is truncated (" + size + " bytes)");
        }
        int headerLength = readIntLE(pack.get(size - 4, 4), 0);
        if (headerLength < MasterKey.OVERHEAD || headerLength > size - 4) {
            throw LifeboatException.integrity(what + " has an invalid header length " + headerLength);
        }
        byte[] sealed = pack.get(size - 4 - headerLength, headerLength);
        byte[] plain = key.open(sealed, 0, sealed.length, what + " header");
        return decode(plain, size - 4 - headerLength, what);
    }

    static void writeIntLE(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }

    static int readIntLE(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }
}
