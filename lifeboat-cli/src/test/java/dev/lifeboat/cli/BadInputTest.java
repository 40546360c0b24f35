package dev.lifeboat.cli;

import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.lock.RepoLock;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input of every kind: each is refused with a fixed exit status, one lowercase line without a trailing
 * period that says what is wrong, a HINT line that says how to fix it, and nothing written anywhere.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    static Path repo;
    static String ambiguousPrefix;

    @BeforeAll
    static void createFixtures() throws IOException {
        repo = dir.resolve("repo");
        LifeboatCli lifeboat = new LifeboatCli(repo);
        lifeboat.ok("init");
        Path src = Trees.file(dir.resolve("src/a.txt"), "a").getParent();
        lifeboat.ok("backup", src.toString());
        ambiguousPrefix = addTwoSnapshotsWithACommonPrefix();
        new LifeboatCli(dir.resolve("empty-repo")).ok("init");
        Trees.file(dir.resolve("nonempty/already-here.txt"), "x");
        Trees.file(dir.resolve("plain-file"), "x");
        Trees.file(dir.resolve("empty.pw"), "");
        Trees.file(dir.resolve("new.pw"), "new password");
        Trees.file(dir.resolve("unknown-setting.yml"), "repository: /srv/backups\ncolour: blue\n");
        Trees.file(dir.resolve("negative-days.yml"), "certificates: {warn-days: -3}\n");
        Trees.file(dir.resolve("broken.yml"), "files:\n  exclude: [a, b\n");
    }

    /** A copy of the snapshot stored until two snapshot ids share their first four hex digits. */
    private static String addTwoSnapshotsWithACommonPrefix() {
        try (Repository r = Repository.open(new LocalBackend(repo), LifeboatCli.PASSWORD.toCharArray())) {
            byte[] plain = Json.bytes(new SnapshotStore(r).resolve("latest", x -> true, "").snapshot());
            Map<String, byte[]> byPrefix = new HashMap<>();
            while (true) {
                byte[] sealed = r.key().seal(plain);
                String prefix = Repository.sha256(sealed, 0, sealed.length).hex().substring(0, 4);
                byte[] other = byPrefix.putIfAbsent(prefix, sealed);
                if (other != null) {
                    for (byte[] s : List.of(other, sealed)) {
                        BlobId id = Repository.sha256(s, 0, s.length);
                        r.backend().put(new ObjectName(ObjectKind.SNAPSHOT, id.hex()), s);
                    }
                    return prefix;
                }
            }
        }
    }

    /** One bad command line: the exit status and the message line (or its start, when it ends with '…'). */
    record BadInput(int exit, String message, Map<String, String> env, List<String> args) {
        static BadInput of(int exit, String message, String... args) {
            return new BadInput(exit, message, Map.of(), List.of(args));
        }

        BadInput env(String name, String value) {
            Map<String, String> e = new HashMap<>(env);
            e.put(name, value);
            return new BadInput(exit, message, e, args);
        }
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.argumentSet("no command", BadInput.of(2,
                        "a command is required")),
                Arguments.argumentSet("unknown command", BadInput.of(2,
                        "unmatched argument at index 0: 'frobnicate'", "frobnicate")),
                Arguments.argumentSet("unknown option", BadInput.of(2,
                        "unknown option: '--frobnicate'", "snapshots", "--frobnicate")),
                Arguments.argumentSet("option value of the wrong type", BadInput.of(2,
                        "invalid value for option '--compression-level': 'high' is not an int",
                        "init", "--repo", "{dir}/new", "--compression-level", "high")),
                Arguments.argumentSet("restore of files without a target", BadInput.of(2,
                        "--target is required to restore a files snapshot", "restore", "latest")),
                Arguments.argumentSet("diff with one snapshot", BadInput.of(2,
                        "missing required parameter: 'TO'", "diff", "latest")),
                Arguments.argumentSet("key without a key command", BadInput.of(2,
                        "a key command is required: add, list, remove or passwd", "key")),
                Arguments.argumentSet("no repository given", BadInput.of(2,
                        "no repository given", "snapshots").env("LIFEBOAT_REPO", null)),
                Arguments.argumentSet("repository that does not exist", BadInput.of(10,
                        "there is no repository at '{dir}/nowhere'", "snapshots", "--repo", "{dir}/nowhere")),
                Arguments.argumentSet("backup into a repository that does not exist", BadInput.of(10,
                        "there is no repository at '{dir}/nowhere'", "backup", "--repo", "{dir}/nowhere", "{dir}/src")),
                Arguments.argumentSet("repository in a storage Lifeboat does not support", BadInput.of(2,
                        "repository 'gs://bucket/lifeboat' uses the storage scheme 'gs', which Lifeboat does not support",
                        "snapshots", "--repo", "gs://bucket/lifeboat")),
                Arguments.argumentSet("s3 repository with an invalid bucket name", BadInput.of(2,
                        "invalid S3 repository location 's3://My_Bucket/lifeboat': invalid bucket name 'My_Bucket'",
                        "snapshots", "--repo", "s3://My_Bucket/lifeboat")),
                Arguments.argumentSet("init twice", BadInput.of(18,
                        "a repository already exists at '{repo}'", "init")),
                Arguments.argumentSet("compression level above 19", BadInput.of(2,
                        "--compression-level must be 0 to 19, got 25", "init", "--repo", "{dir}/new",
                        "--compression-level", "25")),
                Arguments.argumentSet("pack size of 0 MiB", BadInput.of(2,
                        "--pack-size-mib must be 1 to 512, got 0", "init", "--repo", "{dir}/new", "--pack-size-mib", "0")),
                Arguments.argumentSet("key derivation memory below 8 MiB for a new repository", BadInput.of(2,
                        "kdf.memory-mib must be between 8 and 4096, got '4' (from environment variable "
                                + "LIFEBOAT_KDF_MEMORY_MIB)", "init", "--repo", "{dir}/new")
                        .env("LIFEBOAT_KDF_MEMORY_MIB", "4")),
                Arguments.argumentSet("key derivation memory below 8 MiB for a new key", BadInput.of(2,
                        "kdf.memory-mib must be between 8 and 4096, got '4' (from environment variable "
                                + "LIFEBOAT_KDF_MEMORY_MIB)", "key", "add", "--new-password-file", "{dir}/new.pw")
                        .env("LIFEBOAT_KDF_MEMORY_MIB", "4")),
                Arguments.argumentSet("setting in the environment that is not a number", BadInput.of(2,
                        "kdf.memory-mib must be a positive integer, got 'lots' (from environment variable "
                                + "LIFEBOAT_KDF_MEMORY_MIB)", "snapshots").env("LIFEBOAT_KDF_MEMORY_MIB", "lots")),
                Arguments.argumentSet("invalid snapshot id", BadInput.of(2,
                        "invalid snapshot id 'xyz'", "ls", "xyz")),
                Arguments.argumentSet("unknown snapshot", BadInput.of(14,
                        "no snapshot 'abcd1234'", "ls", "abcd1234")),
                Arguments.argumentSet("unknown snapshot in diff", BadInput.of(14,
                        "no snapshot 'abcd1234'", "diff", "abcd1234", "latest")),
                Arguments.argumentSet("ambiguous snapshot prefix", BadInput.of(2,
                        "snapshot id '{prefix}' is ambiguous (2 snapshots start with it)", "ls", "{prefix}")),
                Arguments.argumentSet("latest in an empty repository", BadInput.of(14,
                        "there is no snapshot in the repository", "ls", "latest", "--repo", "{dir}/empty-repo")),
                Arguments.argumentSet("latest of a type with no snapshot", BadInput.of(14,
                        "there is no snapshot of type 'config' in the repository", "restore", "latest",
                        "--type", "config", "--target", "{dir}/fresh")),
                Arguments.argumentSet("backup of a missing path", BadInput.of(2,
                        "path '{dir}/missing' does not exist", "backup", "{dir}/missing")),
                Arguments.argumentSet("backup of an unknown type", BadInput.of(2,
                        "unknown backup type 'photos'", "backup", "--type", "photos", "{dir}/src")),
                Arguments.argumentSet("snapshots of an unknown type", BadInput.of(2,
                        "unknown backup type 'photos'", "snapshots", "--type", "photos")),
                Arguments.argumentSet("tag with a comma", BadInput.of(2,
                        "invalid tag 'a,b'", "backup", "--tag", "a,b", "{dir}/src")),
                Arguments.argumentSet("empty exclude pattern", BadInput.of(2,
                        "empty pattern given to --exclude", "backup", "--exclude", "", "{dir}/src")),
                Arguments.argumentSet("read-data subset of 0%", BadInput.of(2,
                        "invalid --read-data-subset '0%'", "check", "--read-data-subset", "0%")),
                Arguments.argumentSet("read-data subset of 150%", BadInput.of(2,
                        "invalid --read-data-subset '150%'", "check", "--read-data-subset", "150%")),
                Arguments.argumentSet("read-data subset in words", BadInput.of(2,
                        "invalid --read-data-subset 'ten'", "check", "--read-data-subset", "ten")),
                Arguments.argumentSet("read-data subset without a percent sign", BadInput.of(2,
                        "invalid --read-data-subset '10'", "check", "--read-data-subset", "10")),
                Arguments.argumentSet("read-data together with a subset", BadInput.of(2,
                        "--read-data and --read-data-subset exclude each other", "check", "--read-data",
                        "--read-data-subset", "10%")),
                Arguments.argumentSet("restore into a non-empty directory", BadInput.of(18,
                        "target '{dir}/nonempty' is not empty", "restore", "latest", "--target", "{dir}/nonempty")),
                Arguments.argumentSet("restore onto a file", BadInput.of(2,
                        "target '{dir}/plain-file' exists and is not a directory", "restore", "latest",
                        "--target", "{dir}/plain-file")),
                Arguments.argumentSet("restore include that is not a glob", BadInput.of(2,
                        "invalid pattern '[' given to --include: …", "restore", "latest", "--target", "{dir}/fresh",
                        "--include", "[")),
                Arguments.argumentSet("restore below a file", BadInput.of(1,
                        "cannot create target '{dir}/plain-file/sub': …", "restore", "latest", "--target",
                        "{dir}/plain-file/sub")),
                Arguments.argumentSet("restore include that matches nothing", BadInput.of(14,
                        "no path in snapshot '…", "restore", "latest", "--target", "{dir}/fresh",
                        "--include", "nothing-matches")),
                Arguments.argumentSet("bad lock wait", BadInput.of(2,
                        "invalid duration 'forever' for --lock-wait", "snapshots", "--lock-wait", "forever")),
                Arguments.argumentSet("invalid key id", BadInput.of(2,
                        "invalid key id 'zz'", "key", "remove", "zz")),
                Arguments.argumentSet("unknown key id", BadInput.of(14,
                        "no key 'abcd'", "key", "remove", "abcd")),
                Arguments.argumentSet("empty password file", BadInput.of(2,
                        "password file '{dir}/empty.pw' is empty", "snapshots", "--password-file", "{dir}/empty.pw")),
                Arguments.argumentSet("missing password file", BadInput.of(2,
                        "cannot read password file '{dir}/missing.pw' (--password-file)", "snapshots",
                        "--password-file", "{dir}/missing.pw")),
                Arguments.argumentSet("no password and no terminal", BadInput.of(2,
                        "no password given and no terminal to ask for one", "snapshots")
                        .env("LIFEBOAT_PASSWORD", null)),
                Arguments.argumentSet("no new password and no terminal", BadInput.of(2,
                        "no new password given and no terminal to ask for one", "key", "add")),
                Arguments.argumentSet("missing configuration file", BadInput.of(2,
                        "configuration file '{dir}/missing.yml' does not exist", "backup", "--config",
                        "{dir}/missing.yml", "{dir}/src")),
                Arguments.argumentSet("unknown setting in the configuration", BadInput.of(2,
                        "unknown setting 'colour' in '{dir}/unknown-setting.yml'", "backup", "--config",
                        "{dir}/unknown-setting.yml", "{dir}/src")),
                Arguments.argumentSet("bad value in the configuration", BadInput.of(2,
                        "certificates.warn-days must be a positive integer, got '-3' (from '{dir}/negative-days.yml')",
                        "backup", "--config", "{dir}/negative-days.yml", "{dir}/src")),
                Arguments.argumentSet("configuration that is not YAML", BadInput.of(2,
                        "cannot read configuration file '{dir}/broken.yml': …", "backup", "--config",
                        "{dir}/broken.yml", "{dir}/src")));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void badInputIsRefusedWithOneLineAHintAndAFixedExitStatus(BadInput bad) throws IOException {
        LifeboatCli lifeboat = new LifeboatCli(repo);
        bad.env().forEach((k, v) -> {
            if (v == null) {
                lifeboat.env.remove(k);
            } else {
                lifeboat.env.put(k, v);
            }
        });
        Map<String, Long> before = everything();

        LifeboatCli.Run r = lifeboat.run(bad.args().stream().map(BadInputTest::fill).toArray(String[]::new));

        assertThat(r.exit()).as("%s", r).isEqualTo(bad.exit());
        assertThat(r.out()).as("%s", r).isEmpty();
        assertThat(r.errLines()).as("%s", r).hasSize(2);
        String message = r.errLines().get(0);
        String expected = "lifeboat: " + fill(bad.message());
        if (expected.endsWith("…")) {
            assertThat(message).startsWith(expected.substring(0, expected.length() - 1));
        } else {
            assertThat(message).isEqualTo(expected);
        }
        assertThat(Character.isUpperCase(message.codePointAt("lifeboat: ".length()))).as("lowercase: %s", message)
                .isFalse();
        assertThat(message).doesNotEndWith(".");
        assertThat(r.errLines().get(1)).matches("HINT: \\S.{5,}");
        assertThat(everything()).as("files after '%s'", r.args()).isEqualTo(before);
        assertThat(dir.resolve("new")).doesNotExist();
        assertThat(dir.resolve("fresh")).doesNotExist();
    }

    @Test
    void anExclusiveLockOfALiveProcessMakesOtherCommandsGiveUpWithStatus11() throws IOException {
        LifeboatCli lifeboat = new LifeboatCli(repo);
        Map<String, Long> before = everything();
        try (RepoLock held = RepoLock.acquire(new LocalBackend(repo), true, "prune", Duration.ZERO)) {
            for (String[] args : List.of(new String[] {"snapshots"}, new String[] {"check", "--lock-wait", "1s"})) {
                LifeboatCli.Run r = lifeboat.run(args);

                assertThat(r.exit()).as("%s", r).isEqualTo(11);
                assertThat(r.errLines()).hasSize(2);
                assertThat(r.errLines().get(0)).startsWith("lifeboat: repository '" + repo
                        + "' is locked: an exclusive lock held by 'prune' (pid " + ProcessHandle.current().pid()
                        + " on host '" + RepoLock.hostname() + "', since ");
                assertThat(r.errLines().get(1)).isEqualTo("HINT: wait for it to finish (or pass --lock-wait), "
                        + "or run 'lifeboat unlock' if that process is gone");
            }
        }
        lifeboat.ok("snapshots");
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void explicitConfigFileIsValidatedByEveryCommand() {
        LifeboatCli lifeboat = new LifeboatCli(repo);

        LifeboatCli.Run r = lifeboat.run("snapshots", "--repo", repo.toString(), "--config",
                dir.resolve("unknown-setting.yml").toString());

        assertThat(r.exit()).as("%s", r).isEqualTo(2);
        assertThat(r.errLines().getFirst())
                .isEqualTo("lifeboat: unknown setting 'colour' in '" + dir.resolve("unknown-setting.yml") + "'");
    }

    @Test
    void initWhereAFileIsExitsWithAPermanentStorageErrorAndAHint() {
        LifeboatCli lifeboat = new LifeboatCli(repo);
        Map<String, Long> before = everything();

        LifeboatCli.Run r = lifeboat.run("init", "--repo", dir.resolve("plain-file").toString());

        assertThat(r.exit()).as("%s", r).isEqualTo(17);
        assertThat(r.errLines()).hasSize(2);
        assertThat(r.errLines().get(1)).startsWith("HINT: ");
        assertThat(everything()).isEqualTo(before);
    }

    private static String fill(String s) {
        return s.replace("{dir}", dir.toString()).replace("{repo}", repo.toString())
                .replace("{prefix}", ambiguousPrefix);
    }

    /**
     * Every file under the test directory with its size: repositories, targets and fixtures. Empty folders
     * are left out, as taking a lock may create the repository's empty 'locks' folder.
     */
    private static Map<String, Long> everything() {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isDirectory(p)) {
                    out.put(dir.relativize(p).toString(), Files.size(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
