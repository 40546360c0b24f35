package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.crypto.KeyFile;
import dev.lifeboat.repo.lock.RepoLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** lifeboat key: manages the passwords that open the repository. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Manage repository keys (passwords).",
        subcommands = {KeyCommand.Add.class, KeyCommand.ListKeys.class, KeyCommand.Remove.class,
                KeyCommand.Passwd.class})
final class KeyCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a key command is required: add, list, remove or passwd");
    }

    abstract static class NewKeyCommand extends BaseCommand {
        @Option(names = "--new-password-file", paramLabel = "FILE",
                description = "read the new password from FILE (else LIFEBOAT_NEW_PASSWORD, or a prompt)")
        Path newPasswordFile;

        BlobId addKey(Repository repository) {
            char[] pw = newPassword(newPasswordFile, "LIFEBOAT_NEW_PASSWORD");
            KeyFile file = KeyFile.create(repository.key(), pw, config().get(Settings.KDF_MEMORY_MIB) * 1024,
                    RepoLock.hostname(), System.getProperty("user.name"));
            return Repository.saveKey(repository.backend(), file);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a password that opens the repository.")
    static final class Add extends NewKeyCommand {
        @Override
        public Integer call() {
            try (Repository repository = openRepository();
                 RepoLock ignored = lock(repository, false, "key add")) {
                BlobId id = addKey(repository);
                if (json) {
                    printJson(Map.of("added", id.hex()));
                } else {
                    say("added key " + id.shortHex());
                }
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the keys of the repository.")
    static final class ListKeys extends BaseCommand {
        @Override
        public Integer call() {
            try (Repository repository = openRepository()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (BlobId id : repository.listIds(ObjectKind.KEY)) {
                    KeyFile k = KeyFile.parse(repository.backend().get(new ObjectName(ObjectKind.KEY, id.hex())));
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", id.hex());
                    row.put("current", id.equals(repository.keyId()));
                    row.put("username", k.username());
                    row.put("host", k.host());
                    row.put("created", k.created());
                    row.put("kdf", k.kdf().algorithm() + " " + k.kdf().memoryKiB() / 1024 + " MiB, "
                            + k.kdf().iterations() + " passes");
                    rows.add(row);
                }
                if (json) {
                    printJson(rows);
                } else {
                    say(String.format(" %-8s  %-10s  %-16s  %-19s  %s", "ID", "USER", "HOST", "CREATED", "KDF"));
                    for (Map<String, Object> r : rows) {
                        say(String.format("%s%-8s  %-10s  %-16s  %-19s  %s", (Boolean) r.get("current") ? "*" : " ",
                                ((String) r.get("id")).substring(0, 8), r.get("username"), r.get("host"),
                                Format.time((java.time.Instant) r.get("created")), r.get("kdf")));
                    }
                }
                return 0;
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a key; the key in use and the last key cannot be removed.")
    static final class Remove extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "key id (prefix of at least 4 characters)")
        String id;

        @Override
        public Integer call() {
            try (Repository repository = openRepository();
                 RepoLock ignored = lock(repository, true, "key remove")) {
                BlobId target = resolveKey(repository, id);
                if (target.equals(repository.keyId())) {
                    throw LifeboatException.usage("key '" + target.shortHex() + "' is the one in use",
                            "open the repository with another key's password to remove this one");
                }
                repository.backend().delete(new ObjectName(ObjectKind.KEY, target.hex()));
                if (json) {
                    printJson(Map.of("removed", target.hex()));
                } else {
                    say("removed key " + target.shortHex());
                }
                return 0;
            }
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = "Change the password: adds a key with the new password, then removes the current one.")
    static final class Passwd extends NewKeyCommand {
        @Override
        public Integer call() {
            if (config().get(dev.lifeboat.engine.config.Settings.APPEND_ONLY)) {
                throw new LifeboatException(ErrorCode.STORAGE_PERMANENT, "cannot change the password of an append-only "
                        + "repository: the old key cannot be removed", "use 'lifeboat key add' here, and remove the old "
                        + "key from a trusted host whose configuration does not set 'append-only'");
            }
            try (Repository repository = openRepository();
                 RepoLock ignored = lock(repository, true, "key passwd")) {
                BlobId added = addKey(repository);
                repository.backend().delete(new ObjectName(ObjectKind.KEY, repository.keyId().hex()));
                if (json) {
                    printJson(Map.of("added", added.hex(), "removed", repository.keyId().hex()));
                } else {
                    say("password changed: key " + added.shortHex() + " replaces " + repository.keyId().shortHex());
                }
                return 0;
            }
        }
    }

    static BlobId resolveKey(Repository repository, String prefix) {
        if (!prefix.matches("[0-9a-fA-F]{4,64}")) {
            throw LifeboatException.usage("invalid key id '" + prefix + "'", "run 'lifeboat key list' to see the ids");
        }
        List<BlobId> matches = repository.listIds(ObjectKind.KEY).stream()
                .filter(k -> k.hex().startsWith(prefix.toLowerCase())).toList();
        if (matches.isEmpty()) {
            throw new LifeboatException(ErrorCode.NOT_FOUND, "no key '" + prefix + "'",
                    "run 'lifeboat key list' to see the ids");
        }
        if (matches.size() > 1) {
            throw LifeboatException.usage("key id '" + prefix + "' is ambiguous", "give more characters");
        }
        return matches.get(0);
    }
}
