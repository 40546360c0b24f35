package dev.lifeboat.cli;

import dev.lifeboat.engine.config.Config;
import dev.lifeboat.engine.config.Setting;
import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.AppendOnlyBackend;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.Backends;
import dev.lifeboat.repo.crypto.KdfParams;
import dev.lifeboat.repo.lock.RepoLock;
import picocli.CommandLine.Option;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

/** Options every command shares and the plumbing to open a repository with them. */
abstract class BaseCommand extends CliCommand {

    @Option(names = {"-r", "--repo"}, paramLabel = "REPO",
            description = "repository location (default: LIFEBOAT_REPO or 'repository' in lifeboat.yml)")
    String repo;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "read the password from the first line of FILE (else LIFEBOAT_PASSWORD, "
                    + "BACKUP_ENCRYPTION_KEY, LIFEBOAT_PASSWORD_FILE, or a prompt)")
    Path passwordFile;

    @Option(names = "--config", paramLabel = "FILE", description = "configuration file (default: LIFEBOAT_CONFIG, "
            + "./lifeboat.yml, /etc/lifeboat/lifeboat.yml)")
    String configFile;

    @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "0s",
            description = "how long to wait for a conflicting lock, e.g. 30s or 5m (default: ${DEFAULT-VALUE})")
    String lockWait;

    private Config config;
    /** Whether the command opened a repository: a resident process hands it back to the launcher only before. */
    private boolean opened;

    Config config() {
        if (config == null) {
            config = Config.load(Config.locate(configFile, cli.env()), cli.env());
        }
        return config;
    }

    /**
     * The backend of --repo or the configured repository. Backends read their options (S3 endpoint,
     * region, …) from variables, so each resolved setting is passed under its first variable, over the
     * process environment.
     */
    Backend backend() {
        return backend(repo != null ? repo : config().get(Settings.REPOSITORY));
    }

    /**
     * The backend of a location (a path or s3://bucket/prefix), with the configured storage options; with
     * {@code append-only} set it refuses to delete or replace objects.
     */
    Backend backend(String location) {
        Map<String, String> env = new HashMap<>(cli.env());
        for (Setting<?> s : Settings.ALL) {
            Object value = config().get(s);
            if (value != null && !s.isList() && !s.env().isEmpty()) {
                env.put(s.env().get(0), value.toString());
            }
        }
        Backend backend = Backends.open(location, env);
        return config().get(Settings.APPEND_ONLY) ? new AppendOnlyBackend(backend) : backend;
    }

    Repository openRepository() {
        Backend b = backend();
        if (!b.isInitialized()) {
            throw new LifeboatException(ErrorCode.NO_REPOSITORY, "there is no repository at '" + b.location() + "'",
                    "run 'lifeboat init --repo " + b.location() + "' to create one, or check --repo / LIFEBOAT_REPO");
        }
        int derivations = KdfParams.derivations();
        Repository repository = Repository.open(b, password("repository password: "));
        opened = true;
        if (KdfParams.derivations() != derivations) {
            // the key derivation left its memory as garbage: a full collection now lets the heap shrink back to
            // what the command uses, so its peak memory is not the sum of both. A resident process that knew the
            // key derived nothing, and would spend 25 ms collecting for nothing.
            System.gc();
        }
        return repository;
    }

    RepoLock lock(Repository repository, boolean exclusive, String command) {
        RepoLock lock = RepoLock.acquire(repository.backend(), exclusive, command, parseDuration(lockWait, "--lock-wait"));
        if (cli.resident()) {
            // a resident process outlives the command, which releases its lock when it ends; a hook per command
            // would pile up
            return lock;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                lock.close();
            } catch (RuntimeException ignored) {
                // already released, or the repository is gone; the lease expires anyway
            }
        }));
        return lock;
    }

    static Duration parseDuration(String text, String option) {
        String t = text.trim().toLowerCase();
        if (t.matches("\\d+[smhd]")) {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.toUpperCase());
        } catch (DateTimeParseException e) {
            throw LifeboatException.usage("invalid duration '" + text + "' for " + option,
                    "give a number with a unit: s, m, h or d (for example 30s)");
        }
    }

    /**
     * Opens a repository that snapshots are copied to: its password comes from {@code passwordFile}, else
     * LIFEBOAT_TO_PASSWORD, else the sources of this repository's own password.
     */
    Repository openDestination(String location, Path passwordFile, String passwordFileSource) {
        Backend b = backend(location);
        if (!b.isInitialized()) {
            throw new LifeboatException(ErrorCode.NO_REPOSITORY, "there is no repository at '" + b.location() + "'",
                    "create it first with 'lifeboat init --repo " + b.location() + "'");
        }
        char[] password;
        String fromEnv = cli.env().get("LIFEBOAT_TO_PASSWORD");
        if (passwordFile != null) {
            password = readPasswordFile(passwordFile, passwordFileSource);
        } else if (fromEnv != null && !fromEnv.isEmpty()) {
            password = fromEnv.toCharArray();
        } else {
            password = password("destination repository password: ");
        }
        Repository destination = Repository.open(b, password);
        opened = true;
        return destination;
    }

    /** The password from the documented sources, in order; never from a command-line argument. */
    char[] password(String prompt) {
        if (passwordFile != null) {
            return readPasswordFile(passwordFile, "--password-file");
        }
        for (String var : new String[] {"LIFEBOAT_PASSWORD", "BACKUP_ENCRYPTION_KEY"}) {
            String v = cli.env().get(var);
            if (v != null && !v.isEmpty()) {
                return v.toCharArray();
            }
        }
        String file = config().get(Settings.PASSWORD_FILE);
        if (file != null) {
            return readPasswordFile(Path.of(file), "password-file");
        }
        if (cli.resident()) {
            if (opened) {
                // the command may have changed something already: it cannot start again in a fresh process
                throw LifeboatException.usage("no password given, and the resident process cannot prompt for one",
                        "set LIFEBOAT_PASSWORD or pass --password-file FILE, or run with LIFEBOAT_RESIDENT=off");
            }
            throw new ResidentServer.PromptNeeded();
        }
        Console console = System.console();
        if (console == null || !cli.terminal()) {
            throw LifeboatException.usage("no password given and no terminal to ask for one",
                    "set LIFEBOAT_PASSWORD or BACKUP_ENCRYPTION_KEY, or pass --password-file FILE");
        }
        char[] pw = console.readPassword("%s", prompt);
        if (pw == null || pw.length == 0) {
            throw LifeboatException.usage("empty password", "type a password, or pass --password-file FILE");
        }
        return pw;
    }

    /** A new password (for init and key changes), asked twice on a terminal. */
    char[] newPassword(Path file, String envVar) {
        if (file != null) {
            return readPasswordFile(file, "--new-password-file");
        }
        if (envVar != null) {
            String v = cli.env().get(envVar);
            if (v != null && !v.isEmpty()) {
                return v.toCharArray();
            }
        }
        if (cli.resident()) {
            throw new ResidentServer.PromptNeeded();
        }
        Console console = System.console();
        if (console == null || !cli.terminal()) {
            throw LifeboatException.usage("no new password given and no terminal to ask for one",
                    "pass --new-password-file FILE" + (envVar == null ? "" : " or set " + envVar));
        }
        char[] a = console.readPassword("new password: ");
        char[] b = console.readPassword("repeat new password: ");
        if (a == null || a.length == 0) {
            throw LifeboatException.usage("empty password", "type a password");
        }
        if (!java.util.Arrays.equals(a, b)) {
            throw LifeboatException.usage("the passwords do not match", "type the same password twice");
        }
        return a;
    }

    static char[] readPasswordFile(Path file, String source) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw LifeboatException.usage("cannot read password file '" + file + "' (" + source + ")",
                    "check that the file exists and is readable");
        }
        String line = content.lines().findFirst().orElse("");
        if (line.isEmpty()) {
            throw LifeboatException.usage("password file '" + file + "' is empty",
                    "put the password on its first line");
        }
        return line.toCharArray();
    }

    Progress progress() {
        if (quiet) {
            return Progress.NONE;
        }
        return cli.terminal() && !json ? new TerminalProgress(cli.err()) : new PlainProgress(cli.err());
    }

    /**
     * Refuses up front, before any work, a command that deletes objects when the configuration is
     * append-only (the backend would refuse its first deletion anyway).
     */
    void refuseIfAppendOnly(String command) {
        if (config().get(Settings.APPEND_ONLY)) {
            throw new LifeboatException(ErrorCode.STORAGE_PERMANENT, "'" + command + "' deletes objects, and this "
                    + "host's configuration is append-only",
                    "forget, prune, rewrite and repair from a trusted host whose configuration does not set "
                            + "'append-only' (LIFEBOAT_APPEND_ONLY)");
        }
    }

    /** Deletes a folder and everything in it, as far as possible: what is left behind is harmless. */
    static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}
