package dev.lifeboat.repo.pack;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.crypto.MasterKey;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects sealed blobs into one pack: {@code blobs || sealed header || header length (u32 LE)}.
 * The header lists every blob, so the index can be rebuilt from packs alone.
 */
public final class PackWriter {
    private byte[] buf;
    private int size;
    private final List<PackEntry> entries = new ArrayList<>();

    public PackWriter(int expectedSize) {
        buf = new byte[Math.max(1024, expectedSize + expectedSize / 8)];
    }

    public void add(BlobId id, BlobType type, BlobCodec.Encoded blob) {
        byte[] sealed = blob.sealed();
        ensure(sealed.length);
        System.arraycopy(sealed, 0, buf, size, sealed.length);
        entries.add(new PackEntry(id, type, blob.compressed(), size, sealed.length, blob.rawLength()));
        size += sealed.length;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    public int size() {
        return size;
    }

    public int count() {
        return entries.size();
    }

    public List<PackEntry> entries() {
        return List.copyOf(entries);
    }

    /** Empties the writer for the next pack, keeping its buffer. */
    public void reset() {
        size = 0;
        entries.clear();
    }

    /** The complete pack bytes, header included. */
    public byte[] finish(MasterKey key) {
        byte[] header = PackHeader.encode(entries);
        byte[] sealedHeader = key.seal(header, 0, header.length);
        ensure(sealedHeader.length + 4);
        System.arraycopy(sealedHeader, 0, buf, size, sealedHeader.length);
        int total = size + sealedHeader.length;
        PackHeader.writeIntLE(buf, total, sealedHeader.length);
        return Arrays.copyOf(buf, total + 4);
    }
}
