package dev.lifeboat.engine.config;

import dev.lifeboat.engine.retention.KeepWithin;
import dev.lifeboat.engine.retention.Policy;
import dev.lifeboat.repo.backend.Backends;
import dev.lifeboat.repo.backend.s3.S3Options;

import java.util.Arrays;
import java.util.List;

/** Every setting Lifeboat reads, in the order docs/configuration.md lists them. */
public final class Settings {
    private Settings() {
    }

    public static final Setting<String> REPOSITORY = new Setting<>("repository",
            List.of("LIFEBOAT_REPO"), "string", null,
            "where the repository lives: a local path, or s3://bucket/prefix on AWS S3 or an S3-compatible store "
                    + "(see the s3.* settings)", s -> s);

    public static final Setting<String> PASSWORD_FILE = new Setting<>("password-file",
            List.of("LIFEBOAT_PASSWORD_FILE"), "path", null,
            "file whose first line is the repository password; LIFEBOAT_PASSWORD or BACKUP_ENCRYPTION_KEY may "
                    + "give the password itself", s -> s);

    public static final Setting<List<String>> COPY_TO = new Setting<>("copy.to",
            List.of("LIFEBOAT_COPY_TO"), "list of repositories", List.of(),
            "repositories (local paths or s3://bucket/prefix: off-site, cross-region) that 'backup' copies each new "
                    + "snapshot to as soon as it is saved, with the WAL a physical backup needs; each must exist "
                    + "('lifeboat init' there first). 'backup --copy-to' replaces the list, '--no-copy' skips it",
            Settings::list);

    public static final Setting<String> COPY_PASSWORD_FILE = new Setting<>("copy.password-file",
            List.of("LIFEBOAT_COPY_PASSWORD_FILE"), "path", null,
            "file whose first line is the password of the copy.to repositories (else LIFEBOAT_TO_PASSWORD, else the "
                    + "repository's own password)", s -> s);

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
            List.of("LIFEBOAT_KDF_MEMORY_MIB"), "integer", 19,
            "memory of the Argon2id key derivation for new keys, in MiB (8 to 4096); passes follow OWASP: 1 from 46 MiB, "
                    + "2 from 19 MiB, else 3",
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
            List.of("LIFEBOAT_VERIFY_QUERY"), "list of 'SQL => expected'", List.of(),
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
            List.of("LIFEBOAT_RESTORE_JOBS"), "integer", 1,
            "connections that load rows at once (a big table is split between them) and pg_restore jobs for indexes "
                    + "and constraints; the dump streams from the repository, only its table of contents goes to a "
                    + "temporary file. A dump Lifeboat cannot read itself goes to pg_restore whole: streamed with 1, "
                    + "above 1 first copied (verified) to a temporary file",
            s -> intInRange("database.restore-jobs", s, 1, 64));

    public static final Setting<Integer> DATABASE_PHYSICAL_COMPRESSION_LEVEL = new Setting<>(
            "database.physical-compression-level", List.of("LIFEBOAT_PHYSICAL_COMPRESSION_LEVEL"), "integer", null,
            "zstd level (1 to 19) of physical base backups, which store a cluster's data files (default: the "
                    + "repository's level; a repository created with level 0 compresses nothing). Measured on a "
                    + "pgbench cluster of 1.5 GiB: freshly loaded, level 1 stored as little as level 3 (67.4 and "
                    + "67.6 MB) in 15% less time; after 30 s of pgbench updates, the next backup stored 13% more at "
                    + "level 1 (85.3 and 75.5 MB) in the same time",
            s -> intInRange("database.physical-compression-level", s, 1, 19));

    public static final Setting<String> DATABASE_TEMP_DIR = new Setting<>("database.temp-dir",
            List.of("LIFEBOAT_TEMP_DIR"), "path", null,
            "folder for a restore's copy of the dump's table of contents (a few KiB), and for the whole dump when "
                    + "pg_restore must restore it in parallel (default: the system temporary folder)", s -> s);

    public static final Setting<String> POSTGRES_BIN_DIR = new Setting<>("postgres.bin-dir",
            List.of("LIFEBOAT_PG_BIN"), "path", null,
            "folder of pg_dump, pg_restore and the server programs to prefer over PATH and /usr/lib/postgresql/*/bin",
            s -> s);

    public static final Setting<String> S3_BUCKET = new Setting<>("s3.bucket",
            Backends.BUCKET, "string", null,
            "a bucket whose prefix '" + Backends.DEFAULT_PREFIX + "' is the repository when 'repository' is not set",
            s -> s);

    public static final Setting<String> S3_ENDPOINT = new Setting<>("s3.endpoint",
            S3Options.ENDPOINT, "URL", null,
            "endpoint of an S3-compatible store (MinIO, Ceph, …), for example http://10.0.0.5:9000; unset for AWS",
            s -> s);

    public static final Setting<String> S3_REGION = new Setting<>("s3.region",
            S3Options.REGION, "string", null,
            "region of the bucket (us-east-1 when unset)", s -> s);

    public static final Setting<String> S3_PATH_STYLE = new Setting<>("s3.path-style",
            S3Options.PATH_STYLE, "auto, true or false", "auto",
            "name the bucket in the request path instead of the host name; auto means yes for an endpoint given as "
                    + "an IP address or localhost", s -> oneOf("s3.path-style", s, "auto", "true", "false"));

    public static final Setting<String> S3_STORAGE_CLASS_DATA = new Setting<>("s3.storage-class.data",
            S3Options.STORAGE_CLASS_DATA, "S3 storage class", null,
            "storage class of packs (file and database content), for example STANDARD_IA or GLACIER_IR; archive "
                    + "classes (GLACIER, DEEP_ARCHIVE) need a retrieval before a restore can read them", s -> s);

    public static final Setting<String> S3_STORAGE_CLASS_METADATA = new Setting<>("s3.storage-class.metadata",
            S3Options.STORAGE_CLASS_METADATA, "S3 storage class", null,
            "storage class of config, keys, index and snapshots (never an archive class: every command reads them); "
                    + "locks always use the bucket's default", s -> s);

    public static final Setting<String> S3_SSE = new Setting<>("s3.sse",
            S3Options.SSE, "none, AES256, aws:kms or aws:kms:dsse", null,
            "server-side encryption requested for every object, on top of Lifeboat's own encryption", s -> s);

    public static final Setting<String> S3_SSE_KMS_KEY_ID = new Setting<>("s3.sse-kms-key-id",
            S3Options.SSE_KMS_KEY_ID, "string", null,
            "KMS key id or ARN for s3.sse aws:kms (default: the account's S3 key)", s -> s);

    public static final Setting<String> S3_OBJECT_LOCK_MODE = new Setting<>("s3.object-lock.mode",
            S3Options.OBJECT_LOCK_MODE, "none, governance or compliance", null,
            "S3 Object Lock retention mode set on every object but locks (the bucket must have object lock enabled)",
            s -> oneOf("s3.object-lock.mode", s, "none", "governance", "compliance"));

    public static final Setting<Integer> S3_OBJECT_LOCK_DAYS = new Setting<>("s3.object-lock.days",
            S3Options.OBJECT_LOCK_DAYS, "integer", null,
            "days each object stays locked from when it is written", s -> intInRange("s3.object-lock.days", s, 1, 36500));

    public static final Setting<Boolean> APPEND_ONLY = new Setting<>("append-only",
            List.of("LIFEBOAT_APPEND_ONLY"), "boolean", false,
            "add to the repository but never delete or replace an object (locks aside), so that this host cannot "
                    + "destroy its backups; forget, prune and key removal then run from a trusted host without it "
                    + "(see docs/ransomware.md)", Settings::bool);

    public static final Setting<String> WAL_SLOT = new Setting<>("wal.slot",
            List.of("LIFEBOAT_WAL_SLOT"), "string", "lifeboat",
            "physical replication slot 'wal stream' reads WAL from (created when missing; it keeps the server from "
                    + "recycling WAL the repository does not have yet)", s -> s);

    public static final Setting<DataSize> WAL_MAX_SLOT_RETAINED = new Setting<>("wal.max-slot-retained",
            List.of("LIFEBOAT_WAL_MAX_SLOT_RETAINED"), "size", new DataSize(1L << 30),
            "'wal stream' warns when the slot keeps more WAL than this on the server (for example 1GB or 512MB; "
                    + "0 never warns)", s -> DataSize.parse("wal.max-slot-retained", s));

    public static final Setting<Interval> WAL_PARTIAL_INTERVAL = new Setting<>("wal.partial-interval",
            List.of("LIFEBOAT_WAL_PARTIAL_INTERVAL"), "duration", Interval.parse("", "500ms"),
            "how often 'wal stream' stores the segment being filled while WAL flows (it also stores it as soon as the "
                    + "flow pauses): the recovery point is about this old", s -> Interval.parse("wal.partial-interval", s));

    public static final Setting<Interval> WAL_STATUS_INTERVAL = new Setting<>("wal.status-interval",
            List.of("LIFEBOAT_WAL_STATUS_INTERVAL"), "duration", Interval.parse("", "10s"),
            "how often 'wal stream' prints its position and lag", s -> Interval.parse("wal.status-interval", s));

    public static final Setting<String> WAL_SPOOL_DIR = new Setting<>("wal.spool-dir",
            List.of("LIFEBOAT_WAL_SPOOL_DIR"), "path", null,
            "the spool folder 'wal spool' uploads when given none: where archive_command drops WAL cheaply with "
                    + "'wal push --spool DIR %p' or scripts/lifeboat-wal-spool", s -> s);

    /**
     * The retention policy groups: one per source type, and {@code full} for snapshots tagged {@code full}
     * (the weekly complete backup of the seeds' schedule).
     */
    public static final List<String> RETENTION_GROUPS = List.of("database", "files", "config", "certificates", "full");

    /** {@code retention.<group>.<rule>} for every group and rule (keep-last … keep-within), all off by default. */
    public static final List<Setting<?>> RETENTION_POLICIES = retentionPolicies();

    public static final Setting<List<String>> RETENTION_SOURCES = new Setting<>("retention.sources",
            List.of("LIFEBOAT_RETENTION_SOURCES"), "list of 'SOURCE: RULE=VALUE …'", List.of(),
            "per-source policies that override their type's rules, for example 'shop: keep-daily=14 keep-within=60d' "
                    + "(SOURCE is a snapshot's source: a database name, or a system identifier for physical backups)",
            Settings::list);

    public static final Setting<Integer> RETENTION_DAYS = new Setting<>("retention.days",
            List.of("BACKUP_RETENTION_DAYS", "LIFEBOAT_RETENTION_DAYS"), "integer", null,
            "sets keep-within to this many days for every source (over the per-type and per-source keep-within)",
            s -> positiveInt("retention.days", s));

    public static final Setting<String> RETENTION_TIME_ZONE = new Setting<>("retention.time-zone",
            List.of("LIFEBOAT_RETENTION_TIME_ZONE"), "time zone", null,
            "time zone of the hourly, daily, weekly, monthly and yearly periods and of keep-within (default: the "
                    + "system's), for example Europe/Berlin or UTC", Settings::zone);

    /** The setting of one retention rule ({@code keep-daily}) of one group ({@code database}). */
    public static Setting<?> retention(String group, String rule) {
        String name = "retention." + group + "." + rule;
        return RETENTION_POLICIES.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no setting '" + name + "'"));
    }

    private static List<Setting<?>> retentionPolicies() {
        List<Setting<?>> out = new java.util.ArrayList<>();
        for (String group : RETENTION_GROUPS) {
            String what = group.equals("full") ? "snapshots tagged 'full'" : "'" + group + "' snapshots";
            for (String rule : Policy.RULES) {
                String name = "retention." + group + "." + rule;
                String env = "LIFEBOAT_" + name.toUpperCase().replace('.', '_').replace('-', '_');
                if (rule.equals("keep-within")) {
                    out.add(new Setting<>(name, List.of(env), "duration (h, d, w, m, y)", null,
                            "keep every one of " + what + " younger than this (30d, 12h, 6m …; m is months)",
                            s -> KeepWithin.parse(name, s)));
                } else {
                    String period = rule.substring("keep-".length());
                    String text = period.equals("last") ? "keep the N newest of " + what
                            : "keep the newest of " + what + " in each of the N newest " + period + " periods that have one";
                    out.add(new Setting<>(name, List.of(env), "integer ≥ 0", null, text,
                            s -> nonNegativeInt(name, s)));
                }
            }
        }
        return List.copyOf(out);
    }

    static int nonNegativeInt(String name, String s) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v < 0) {
                throw new IllegalArgumentException(name + " must be 0 or more, got '" + s + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + s + "'");
        }
    }

    static String zone(String s) {
        try {
            return java.time.ZoneId.of(s.trim()).getId();
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + s + "'; use a name like Europe/Berlin or UTC");
        }
    }

    public static final List<Setting<?>> ALL = concat(List.of(REPOSITORY, PASSWORD_FILE, COPY_TO, COPY_PASSWORD_FILE, FILES_EXCLUDE, CONFIG_INCLUDE,
            CONFIG_EXCLUDE, CERTIFICATE_WARN_DAYS, KDF_MEMORY_MIB, APP_VERSION, DATABASE_URL, DATABASE_CRITICAL_TABLES,
            DATABASE_VERIFY, DATABASE_PRE_RESTORE, DATABASE_POST_RESTORE, DATABASE_SAFETY_BACKUP, DATABASE_RESTORE_JOBS,
            DATABASE_PHYSICAL_COMPRESSION_LEVEL, DATABASE_TEMP_DIR, POSTGRES_BIN_DIR, S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_PATH_STYLE, S3_STORAGE_CLASS_DATA,
            S3_STORAGE_CLASS_METADATA, S3_SSE, S3_SSE_KMS_KEY_ID, S3_OBJECT_LOCK_MODE, S3_OBJECT_LOCK_DAYS, APPEND_ONLY,
            WAL_SLOT, WAL_MAX_SLOT_RETAINED, WAL_PARTIAL_INTERVAL, WAL_STATUS_INTERVAL, WAL_SPOOL_DIR,
            RETENTION_SOURCES, RETENTION_DAYS, RETENTION_TIME_ZONE), RETENTION_POLICIES);

    private static List<Setting<?>> concat(List<Setting<?>> a, List<Setting<?>> b) {
        List<Setting<?>> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

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

    static String oneOf(String name, String s, String... allowed) {
        String v = s.trim().toLowerCase();
        if (!List.of(allowed).contains(v)) {
            throw new IllegalArgumentException(name + " must be one of " + String.join(", ", allowed) + ", got '" + s + "'");
        }
        return v;
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
