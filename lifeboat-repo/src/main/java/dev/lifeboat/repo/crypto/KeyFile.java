package dev.lifeboat.repo.crypto;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Json;

import javax.crypto.spec.SecretKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * One key of a repository: the master key sealed under a key derived from a password.
 * Several key files may exist; any one of them opens the repository.
 */
public record KeyFile(
        @JsonProperty("version") int version,
        @JsonProperty("created") Instant created,
        @JsonProperty("host") String host,
        @JsonProperty("username") String username,
        @JsonProperty("kdf") KdfParams kdf,
        @JsonProperty("data") byte[] data) {

    public KeyFile {
        if (version != 1) {
            throw new IllegalArgumentException("unsupported key file version " + version);
        }
    }

    /** Wraps the master key under the password. */
    public static KeyFile create(MasterKey master, char[] password, int memoryKiB, String host, String username) {
        KdfParams kdf = KdfParams.fresh(memoryKiB);
        byte[] wrapping = kdf.derive(password);
        byte[] plain = Json.bytes(Map.of("encrypt", master.encryptionBytes(), "id", master.idBytes()));
        byte[] sealed = MasterKey.seal(new SecretKeySpec(wrapping, "AES"), MasterKey.newCipher(), plain, 0,
                plain.length);
        Arrays.fill(plain, (byte) 0);
        return new KeyFile(1, Instant.now(), host, username, kdf, sealed);
    }

    /**
     * Unwraps the master key.
     *
     * @return the master key, or null when the password does not open this key
     */
    public MasterKey open(char[] password) {
        byte[] wrapping = kdf.derive(password);
        byte[] plain;
        try {
            plain = MasterKey.open(new SecretKeySpec(wrapping, "AES"), MasterKey.newCipher(), data, 0, data.length,
                    "key");
        } catch (LifeboatException e) {
            if (e.code() == ErrorCode.INTEGRITY) {
                return null;
            }
            throw e;
        }
        JsonNode node = Json.tree(plain);
        try {
            return new MasterKey(node.get("encrypt").binaryValue(), node.get("id").binaryValue());
        } catch (java.io.IOException e) {
            throw LifeboatException.integrity("key file content is malformed");
        }
    }

    public byte[] toBytes() {
        return Json.bytes(this);
    }

    public static KeyFile parse(byte[] bytes) {
        return Json.read(bytes, KeyFile.class, "key file");
    }
}
