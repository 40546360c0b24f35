package dev.lifeboat.repo;

import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.chunker.ChunkerParams;

import java.time.Instant;
import java.util.UUID;

/** Repositories for tests: a known password and the cheapest key derivation the format allows. */
public final class TestRepositories {
    public static final String PASSWORD = "correct horse battery staple";
    /** The smallest Argon2id memory {@link dev.lifeboat.repo.crypto.KdfParams} accepts, to keep tests fast. */
    public static final int KDF_MEMORY_KIB = 8 * 1024;
    /** The smallest pack size a config accepts, so that a few MiB of blobs fill several packs. */
    public static final int SMALL_PACK_SIZE = 1024 * 1024;

    private TestRepositories() {
    }

    /** Creates a repository with default settings. */
    public static Repository init(Backend backend) {
        return init(backend, RepoConfig.fresh());
    }

    public static Repository init(Backend backend, RepoConfig config) {
        return Repository.init(backend, PASSWORD.toCharArray(), config, KDF_MEMORY_KIB, "testhost", "tester");
    }

    /** A config whose packs are as small as allowed. */
    public static RepoConfig smallPacks() {
        return new RepoConfig(RepoConfig.FORMAT_VERSION, UUID.randomUUID().toString(), Instant.now(),
                ChunkerParams.defaults(1), 3, SMALL_PACK_SIZE);
    }

    /** Opens a repository made by {@link #init} with its password. */
    public static Repository open(Backend backend) {
        return Repository.open(backend, PASSWORD.toCharArray());
    }
}
