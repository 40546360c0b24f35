package dev.lifeboat.repo.crypto;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Parameters of the memory-hard key derivation (Argon2id) that turns a password into a key-wrapping key.
 * Stored in each key file so that keys made with other parameters keep opening.
 */
public record KdfParams(
        @JsonProperty("algorithm") String algorithm,
        @JsonProperty("memoryKiB") int memoryKiB,
        @JsonProperty("iterations") int iterations,
        @JsonProperty("parallelism") int parallelism,
        @JsonProperty("salt") byte[] salt) {

    public static final String ARGON2ID = "argon2id";
    /**
     * 19 MiB and two passes, one of OWASP's recommended Argon2id settings: about 0.15 s per guess on the
     * reference machine, paid once per command, and little memory for a JVM that also does the backup.
     */
    public static final int DEFAULT_MEMORY_KIB = 19 * 1024;

    public KdfParams {
        if (!ARGON2ID.equals(algorithm)) {
            throw new IllegalArgumentException("unsupported key derivation '" + algorithm + "'");
        }
        if (memoryKiB < 8 * 1024 || memoryKiB > 4 * 1024 * 1024) {
            throw new IllegalArgumentException("argon2id memory must be between 8 MiB and 4 GiB, got "
                    + memoryKiB + " KiB");
        }
        if (iterations < 1 || iterations > 100 || parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("argon2id iterations must be 1..100 and parallelism 1..64");
        }
        if (salt == null || salt.length < 16) {
            throw new IllegalArgumentException("argon2id salt must be at least 16 bytes");
        }
    }

    /** New parameters: fewer passes with more memory, following OWASP's equivalent Argon2id settings. */
    public static KdfParams fresh(int memoryKiB) {
        int passes = memoryKiB >= 46 * 1024 ? 1 : memoryKiB >= 19 * 1024 ? 2 : 3;
        return new KdfParams(ARGON2ID, memoryKiB, passes, 1, MasterKey.randomBytes(16));
    }

    /**
     * Key-wrapping keys derived before, by parameters (salt included) and a SHA-256 of the password; null
     * unless {@link #rememberDerivedKeys} was called. A resident process opens the same repository for command
     * after command, and each Argon2id derivation costs about 0.1 s of CPU there; it holds the password in
     * its environment anyway.
     */
    private static volatile Map<String, byte[]> remembered;
    private static final AtomicInteger DERIVATIONS = new AtomicInteger();

    /** From now on, this process derives each key once (at most 16 are kept, the least recently used go). */
    public static void rememberDerivedKeys() {
        remembered = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > 16;
            }
        });
    }

    /** Back to deriving every key (for tests). */
    public static void forgetDerivedKeys() {
        remembered = null;
    }

    /** How many Argon2id derivations this process ran. */
    public static int derivations() {
        return DERIVATIONS.get();
    }

    /** Derives the 32-byte key-wrapping key from the password. */
    public byte[] derive(char[] password) {
        Map<String, byte[]> cache = remembered;
        if (cache == null) {
            return argon2(password);
        }
        String key = cacheKey(password);
        byte[] derived = cache.get(key);
        if (derived == null) {
            derived = argon2(password);
            cache.put(key, derived);
        }
        return derived.clone();
    }

    private String cacheKey(char[] password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((algorithm + "/" + memoryKiB + "/" + iterations + "/" + parallelism + "/").getBytes(StandardCharsets.UTF_8));
            md.update(salt);
            md.update(new String(password).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] argon2(char[] password) {
        DERIVATIONS.incrementAndGet();
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKiB)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(params);
        byte[] out = new byte[32];
        gen.generateBytes(new String(password).getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
