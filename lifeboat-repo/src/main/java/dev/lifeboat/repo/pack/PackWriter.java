package dev.lifeboat.repo.pack;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.crypto.MasterKey;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one pack to a stream: {@code blobs || sealed header || header length (u32 LE)}, hashing the bytes
 * on their way so that the pack's name (the SHA-256 of its content) is known when it is finished. The
 * header lists every blob, so the index can be rebuilt from packs alone. The stream is where the pack
 * waits for its upload (a spool file while backing up, so a pack costs no heap); it is not closed here.
 */
public final class PackWriter {
    private final OutputStream out;
    private final MessageDigest sha;
    private final List<PackEntry> entries = new ArrayList<>();
    private long size;
    private long length;

    public PackWriter(OutputStream out) {
        this.out = out;
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public void add(BlobId id, BlobType type, BlobCodec.Encoded blob) {
        add(id, type, blob.view());
    }

    public void add(BlobId id, BlobType type, BlobCodec.Sealed blob) {
        write(blob.buffer(), blob.length());
        entries.add(new PackEntry(id, type, blob.compressed(), Math.toIntExact(size), blob.length(), blob.rawLength()));
        size += blob.length();
    }

    private void write(byte[] bytes, int length) {
        sha.update(bytes, 0, length);
        this.length += length;
        try {
            out.write(bytes, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a pack to its spool file: " + e.getMessage(), e);
        }
    }

    /** Bytes of blobs written so far. */
    public long size() {
        return size;
    }

    /** Bytes written so far: blobs, and after {@link #finish} the header and its length too. */
    public long length() {
        return length;
    }

    public int count() {
        return entries.size();
    }

    public List<PackEntry> entries() {
        return List.copyOf(entries);
    }

    /**
     * Writes the sealed header and its length, then flushes the stream.
     *
     * @return the pack's id: the SHA-256 of every byte written
     */
    public BlobId finish(MasterKey key) {
        byte[] header = PackHeader.encode(entries);
        byte[] sealedHeader = key.seal(header, 0, header.length);
        write(sealedHeader, sealedHeader.length);
        byte[] length = new byte[4];
        PackHeader.writeIntLE(length, 0, sealedHeader.length);
        write(length, 4);
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a pack to its spool file: " + e.getMessage(), e);
        }
        return BlobId.of(sha.digest());
    }
}
