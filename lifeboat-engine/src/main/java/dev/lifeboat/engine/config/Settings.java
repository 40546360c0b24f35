package dev.lifeboat.engine.config;

import java.util.Arrays;
import java.util.List;

/** Every setting Lifeboat reads, in the order docs/configuration.md lists them. */
public final class Settings {
    private Settings() {
    }

    public static final Setting<String> REPOSITORY = new Setting<>("repository",
            List.of("LIFEBOAT_REPO"), "string", null,
            "where the repository lives: a local path (s3://bucket/prefix in a later release)", s -> s);

    public static final Setting<String> PASSWORD_FILE = new Setting<>("password-file",
            List.of("LIFEBOAT_PASSWORD_FILE"), "path", null,
            "file whose first line is the repository password; LIFEBOAT_PASSWORD or BACKUP_ENCRYPTION_KEY may "
                    + "give the password itself", s -> s);

    public static final Setting<List<String>> FILES_EXCLUDE = new Setting<>("files.exclude",
            List.of("LIFEBOAT_FILES_EXCLUDE"), "list of globs",
            List.of("node_modules/", "target/", "build/", "dist/", ".git/"),
            "globs excluded from 'files' backups (a trailing '/' matches directories only; a pattern without '/' "
                    + "matches a name at any depth)", Settings::list);

    public static final Setting<List<String>> CONFIG_INCLUDE = new Setting<>("config.include",
            List.of("LIFEBOAT_CONFIG_INCLUDE"), "list of globs",
            List.of(".env", ".env.*", "*.env", "docker-compose*.yml", "docker-compose*.yaml", "compose*.yml",
                    "compose*.yaml", "Dockerfile*", "package.json", "pnpm-workspace.yaml", ".npmrc", "*.conf",
                    "*.toml", "*.ini", "*.properties", "lifeboat.yml"),
            "file names a 'config' backup takes from the paths it is given (environment files, compose files, "
                    + "package and service configuration)", Settings::list);

    public static final Setting<List<String>> CONFIG_EXCLUDE = new Setting<>("config.exclude",
            List.of("LIFEBOAT_CONFIG_EXCLUDE"), "list of globs",
            List.of("node_modules/", ".git/"),
            "globs a 'config' backup never descends into or takes", Settings::list);

    public static final Setting<Integer> CERTIFICATE_WARN_DAYS = new Setting<>("certificates.warn-days",
            List.of("LIFEBOAT_CERTIFICATE_WARN_DAYS"), "integer", 30,
            "a certificate expiring within this many days is flagged by 'backup' and 'snapshots'",
            s -> positiveInt("certificates.warn-days", s));

    public static final Setting<Integer> KDF_MEMORY_MIB = new Setting<>("kdf.memory-mib",
            List.of("LIFEBOAT_KDF_MEMORY_MIB"), "integer", 64,
            "memory of the Argon2id key derivation for new keys, in MiB (8 to 4096)",
            s -> intInRange("kdf.memory-mib", s, 8, 4096));

    public static final Setting<String> APP_VERSION = new Setting<>("app-version",
            List.of("LIFEBOAT_APP_VERSION", "APP_VERSION", "GIT_COMMIT"), "string", null,
            "application version or git revision recorded in each snapshot", s -> s);

    public static final Setting<String> DATABASE_URL = new Setting<>("database.url",
            List.of("LIFEBOAT_DATABASE_URL"), "postgres:// URL", null,
            "the database to back up and restore; without it DATABASE_URL, PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE, "
                    + "POSTGRES_HOST/POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB and ~/.pgpass apply as in libpq", s -> s);

    public static final Setting<List<String>> DATABASE_CRITICAL_TABLES = new Setting<>("database.critical-tables",
            List.of("LIFEBOAT_CRITICAL_TABLES"), "list of tables", List.of(),
            "tables (schema.table) whose row counts a restore verifies; empty means every table", Settings::list);

    public static final Setting<List<String>> DATABASE_VERIFY = new Setting<>("database.verify",
            List.of(), "list of 'SQL => expected'", List.of(),
            "queries run after a restore, each with the single value it must return", List::of);

    public static final Setting<String> DATABASE_PRE_RESTORE = new Setting<>("database.hooks.pre-restore",
            List.of("LIFEBOAT_PRE_RESTORE"), "shell command", null,
            "run before a database restore (for example 'systemctl stop app'); a failure aborts the restore", s -> s);

    public static final Setting<String> DATABASE_POST_RESTORE = new Setting<>("database.hooks.post-restore",
            List.of("LIFEBOAT_POST_RESTORE"), "shell command", null,
            "run after a verified database restore (for example migrations, then 'systemctl start app')", s -> s);

    public static final Setting<Boolean> DATABASE_SAFETY_BACKUP = new Setting<>("database.safety-backup",
            List.of("LIFEBOAT_SAFETY_BACKUP"), "boolean", true,
            "back up a database before a restore replaces it, so the restore can be undone", Settings::bool);

    public static final Setting<Integer> DATABASE_RESTORE_JOBS = new Setting<>("database.restore-jobs",
            List.of("LIFEBOAT_RESTORE_JOBS"), "integer", 2,
            "parallel pg_restore jobs; above 1 the dump is first copied (verified) to a temporary file",
            s -> intInRange("database.restore-jobs", s, 1, 64));

    public static final Setting<String> DATABASE_TEMP_DIR = new Setting<>("database.temp-dir",
            List.of("LIFEBOAT_TEMP_DIR"), "path", null,
            "folder for the temporary dump copy of a parallel restore (default: the system temporary folder)", s -> s);

    public static final Setting<String> POSTGRES_BIN_DIR = new Setting<>("postgres.bin-dir",
            List.of("LIFEBOAT_PG_BIN"), "path", null,
            "folder of pg_dump, pg_restore and the server programs to prefer over PATH and /usr/lib/postgresql/*/bin",
            s -> s);

    public static final List<Setting<?>> ALL = List.of(REPOSITORY, PASSWORD_FILE, FILES_EXCLUDE, CONFIG_INCLUDE,
            CONFIG_EXCLUDE, CERTIFICATE_WARN_DAYS, KDF_MEMORY_MIB, APP_VERSION, DATABASE_URL, DATABASE_CRITICAL_TABLES,
            DATABASE_VERIFY, DATABASE_PRE_RESTORE, DATABASE_POST_RESTORE, DATABASE_SAFETY_BACKUP, DATABASE_RESTORE_JOBS,
            DATABASE_TEMP_DIR, POSTGRES_BIN_DIR);

    static List<String> list(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    static boolean bool(String s) {
        return switch (s.trim().toLowerCase()) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got '" + s + "'");
        };
    }

    static int intInRange(String name, String s, int min, int max) {
        int v = positiveInt(name, s);
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got '" + s + "'");
        }
        return v;
    }

    static int positiveInt(String name, String s) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be a positive integer, got '" + s + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a positive integer, got '" + s + "'");
        }
    }

    /** The configuration reference in Markdown, generated from the declarations. */
    public static String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference\n\n")
                .append("Generated from `dev.lifeboat.engine.config.Settings`; a test keeps this file in step.\n\n")
                .append("Lifeboat reads `lifeboat.yml` from `--config`, `LIFEBOAT_CONFIG`, `./lifeboat.yml` or ")
                .append("`/etc/lifeboat/lifeboat.yml` (the first that exists). Dotted names are nested keys. ")
                .append("An environment variable overrides the file; a command-line option overrides both.\n\n")
                .append("| setting | environment | type | default | description |\n")
                .append("|---|---|---|---|---|\n");
        for (Setting<?> s : ALL) {
            out.append("| `").append(s.name()).append("` | ")
                    .append(String.join(", ", s.env().stream().map(e -> "`" + e + "`").toList())).append(" | ")
                    .append(s.type()).append(" | ")
                    .append(s.defaultText().replace("|", "\\|")).append(" | ")
                    .append(s.description()).append(" |\n");
        }
        return out.toString();
    }
}
