package dev.lifeboat.repo.pack;

import dev.lifeboat.repo.BlobId;

/**
 * Where a blob sits in a pack: its sealed bytes occupy {@code length} bytes at {@code offset};
 * {@code rawLength} is the plaintext size before compression.
 */
public record PackEntry(BlobId id, BlobType type, boolean compressed, int offset, int length, int rawLength) {
    public PackEntry {
        if (offset < 0 || length <= 0 || rawLength < 0) {
            throw new IllegalArgumentException("invalid pack entry " + offset + "+" + length + " raw " + rawLength);
        }
    }
}
