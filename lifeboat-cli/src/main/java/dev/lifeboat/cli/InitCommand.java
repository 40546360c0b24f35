package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.RepoConfig;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.chunker.ChunkerParams;
import dev.lifeboat.repo.lock.RepoLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** lifeboat init: creates a repository. */
@Command(name = "init", mixinStandardHelpOptions = true, description = "Create a new repository.")
final class InitCommand extends BaseCommand {
    @Option(names = "--compression-level", paramLabel = "N", defaultValue = "3",
            description = "zstd level for stored blobs, 0 turns compression off (default: ${DEFAULT-VALUE})")
    int compressionLevel;

    @Option(names = "--pack-size-mib", paramLabel = "MIB", defaultValue = "16",
            description = "target size of pack files in MiB (default: ${DEFAULT-VALUE})")
    int packSizeMib;

    @Override
    public Integer call() {
        if (compressionLevel < 0 || compressionLevel > 19) {
            throw LifeboatException.usage("--compression-level must be 0 to 19, got " + compressionLevel,
                    "3 is a good balance; 0 stores data uncompressed");
        }
        if (packSizeMib < 1 || packSizeMib > 512) {
            throw LifeboatException.usage("--pack-size-mib must be 1 to 512, got " + packSizeMib,
                    "16 suits local disks and S3 alike");
        }
        int kdfMib = config().get(Settings.KDF_MEMORY_MIB);
        if (kdfMib < 8 || kdfMib > 4096) {
            throw LifeboatException.usage("kdf.memory-mib must be 8 to 4096, got " + kdfMib, "64 is the default");
        }
        Backend backend = backend();
        char[] password = passwordFile != null || cli.env().containsKey("LIFEBOAT_PASSWORD")
                || cli.env().containsKey("BACKUP_ENCRYPTION_KEY") || config().get(Settings.PASSWORD_FILE) != null
                ? password("password: ") : newPassword(null, null);
        RepoConfig config = new RepoConfig(RepoConfig.FORMAT_VERSION, java.util.UUID.randomUUID().toString(),
                java.time.Instant.now(), ChunkerParams.defaults(ThreadLocalRandom.current().nextLong()),
                compressionLevel, packSizeMib * 1024 * 1024);
        try (Repository r = Repository.init(backend, password, config, kdfMib * 1024, RepoLock.hostname(),
                System.getProperty("user.name"))) {
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("repository", backend.location());
                out.put("id", r.config().id());
                out.put("keyId", r.keyId().hex());
                printJson(out);
            } else {
                say("created repository " + r.config().id().substring(0, 8) + " at '" + backend.location() + "'");
                say("keep the password safe: the data cannot be read without it");
            }
        }
        return 0;
    }
}
