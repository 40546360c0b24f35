package dev.lifeboat.repo;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.HexFormat;

/**
 * A 32-byte identifier: the keyed hash of a blob's plaintext, or the SHA-256 of a stored object.
 * Held as four longs so that equality and hashing are cheap and the value is compact.
 */
public record BlobId(long a, long b, long c, long d) implements Comparable<BlobId> {
    public static final int BYTES = 32;

    public static BlobId of(byte[] bytes) {
        return of(bytes, 0);
    }

    public static BlobId of(byte[] bytes, int offset) {
        if (bytes.length - offset < BYTES) {
            throw new IllegalArgumentException("an id needs 32 bytes, got " + (bytes.length - offset));
        }
        return new BlobId(readLong(bytes, offset), readLong(bytes, offset + 8), readLong(bytes, offset + 16),
                readLong(bytes, offset + 24));
    }

    /** Parses 64 hexadecimal characters. */
    @JsonCreator
    public static BlobId parse(String hex) {
        if (hex == null || hex.length() != 64) {
            throw new IllegalArgumentException("an id is 64 hexadecimal characters, got '" + hex + "'");
        }
        try {
            return of(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("an id is 64 hexadecimal characters, got '" + hex + "'");
        }
    }

    private static long readLong(byte[] b, int o) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[o + i] & 0xffL);
        }
        return v;
    }

    private static void writeLong(byte[] b, int o, long v) {
        for (int i = 7; i >= 0; i--) {
            b[o + i] = (byte) v;
            v >>>= 8;
        }
    }

    public byte[] bytes() {
        byte[] out = new byte[BYTES];
        writeTo(out, 0);
        return out;
    }

    public void writeTo(byte[] out, int offset) {
        writeLong(out, offset, a);
        writeLong(out, offset + 8, b);
        writeLong(out, offset + 16, c);
        writeLong(out, offset + 24, d);
    }

    @JsonValue
    public String hex() {
        return HexFormat.of().formatHex(bytes());
    }

    /** The first eight hex characters, as shown to users. */
    public String shortHex() {
        return hex().substring(0, 8);
    }

    @Override
    public int hashCode() {
        return (int) (a ^ (a >>> 32));
    }

    @Override
    public int compareTo(BlobId o) {
        int r = Long.compareUnsigned(a, o.a);
        if (r == 0) {
            r = Long.compareUnsigned(b, o.b);
        }
        if (r == 0) {
            r = Long.compareUnsigned(c, o.c);
        }
        if (r == 0) {
            r = Long.compareUnsigned(d, o.d);
        }
        return r;
    }

    @Override
    public String toString() {
        return hex();
    }
}
