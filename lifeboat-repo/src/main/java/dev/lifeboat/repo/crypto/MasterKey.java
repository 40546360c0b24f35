package dev.lifeboat.repo.crypto;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * The repository's secret: an AES-256 key that seals every object and an HMAC-SHA256 key that names
 * blobs. Sealed bytes are {@code nonce (12) || ciphertext || tag (16)}.
 */
public final class MasterKey {
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;
    public static final int OVERHEAD = NONCE_BYTES + TAG_BYTES;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec encryptionKey;
    private final SecretKeySpec idKey;
    private final byte[] encryptionBytes;
    private final byte[] idBytes;
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(MasterKey::newCipher);
    private final ThreadLocal<Mac> macs;

    public MasterKey(byte[] encryption, byte[] id) {
        if (encryption.length != 32 || id.length != 32) {
            throw new IllegalArgumentException("master key parts must be 32 bytes each");
        }
        this.encryptionBytes = encryption.clone();
        this.idBytes = id.clone();
        this.encryptionKey = new SecretKeySpec(encryptionBytes, "AES");
        this.idKey = new SecretKeySpec(idBytes, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> newMac(idKey));
    }

    /** A fresh random master key. */
    public static MasterKey random() {
        return new MasterKey(randomBytes(32), randomBytes(32));
    }

    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    byte[] encryptionBytes() {
        return encryptionBytes.clone();
    }

    byte[] idBytes() {
        return idBytes.clone();
    }

    /** The blob id of a plaintext: HMAC-SHA256 under the id key. */
    public BlobId blobId(byte[] data, int offset, int length) {
        Mac mac = macs.get();
        mac.update(data, offset, length);
        return BlobId.of(mac.doFinal());
    }

    /** Encrypts and authenticates; the result is {@link #OVERHEAD} bytes longer than the input. */
    public byte[] seal(byte[] plain, int offset, int length) {
        return seal(encryptionKey, ciphers.get(), plain, offset, length);
    }

    /**
     * Seals in place the {@code length} bytes that start at {@link #NONCE_BYTES} in {@code buffer}: the nonce
     * goes before them, the ciphertext over them and the tag after them, so the buffer must hold
     * {@code length + OVERHEAD} bytes. The JDK encrypts in place without a copy when input and output start
     * at the same offset, so a writer needs one buffer per thread, not a second one for the sealed bytes.
     *
     * @return the sealed length
     */
    public int sealInPlace(byte[] buffer, int length) {
        System.arraycopy(randomBytes(NONCE_BYTES), 0, buffer, 0, NONCE_BYTES);
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.ENCRYPT_MODE, encryptionKey, new GCMParameterSpec(TAG_BYTES * 8, buffer, 0, NONCE_BYTES));
            return NONCE_BYTES + cipher.doFinal(buffer, NONCE_BYTES, length, buffer, NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    public byte[] seal(byte[] plain) {
        return seal(plain, 0, plain.length);
    }

    /**
     * Decrypts and checks authenticity.
     *
     * @throws LifeboatException with code INTEGRITY when the bytes were altered or sealed by another key
     */
    public byte[] open(byte[] sealed, int offset, int length, String what) {
        return open(encryptionKey, ciphers.get(), sealed, offset, length, what);
    }

    public byte[] open(byte[] sealed, String what) {
        return open(sealed, 0, sealed.length, what);
    }

    /**
     * Decrypts and checks authenticity into {@code out} from index 0, which must hold at least
     * {@code length - OVERHEAD} bytes; returns the plaintext length. Lets bulk readers reuse one buffer.
     *
     * @throws LifeboatException with code INTEGRITY when the bytes were altered or sealed by another key
     */
    public int open(byte[] sealed, int offset, int length, byte[] out, String what) {
        checkLength(length, what);
        return open(encryptionKey, ciphers.get(), sealed, offset, length, out, what);
    }

    static byte[] seal(SecretKeySpec key, Cipher cipher, byte[] plain, int offset, int length) {
        byte[] out = new byte[length + OVERHEAD];
        byte[] nonce = randomBytes(NONCE_BYTES);
        System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            cipher.doFinal(plain, offset, length, out, NONCE_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    static byte[] open(SecretKeySpec key, Cipher cipher, byte[] sealed, int offset, int length, String what) {
        checkLength(length, what);
        byte[] out = new byte[length - OVERHEAD];
        open(key, cipher, sealed, offset, length, out, what);
        return out;
    }

    private static void checkLength(int length, String what) {
        if (length < OVERHEAD) {
            throw LifeboatException.integrity(what + " is truncated (" + length + " bytes)");
        }
    }

    private static int open(SecretKeySpec key, Cipher cipher, byte[] sealed, int offset, int length, byte[] out,
                            String what) {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, sealed, offset, NONCE_BYTES));
            return cipher.doFinal(sealed, offset + NONCE_BYTES, length - NONCE_BYTES, out, 0);
        } catch (AEADBadTagException e) {
            throw LifeboatException.integrity(what + " failed authentication (damaged or written with another key)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JDK", e);
        }
    }
}
