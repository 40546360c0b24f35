package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.engine.files.TreeCompare;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The main user journeys of the CLI, end to end on a local repository: back up, list, compare, restore. */
class CliRoundTripTest {
    private static final Instant NANOS_TIME = Instant.parse("2021-03-04T05:06:07.123456789Z");
    private static final Instant BEFORE_1970 = Instant.parse("1960-07-01T12:00:00Z");
    private static final Instant FAR_FUTURE = Instant.parse("2100-01-01T00:00:00.5Z");

    /** Quiet ancestors: see {@link QuietTempDir}. */
    @TempDir(factory = QuietTempDir.class)
    Path dir;

    @TempDir
    static Path keytoolDir;
    static Path longLivedCertificate;
    static Path expiringCertificate;

    Path repo;
    LifeboatCli lifeboat;

    @BeforeAll
    static void generateCertificates() throws IOException {
        longLivedCertificate = certificate(keytoolDir, "long.pem", "CN=lifeboat.test,O=Lifeboat", 90);
        expiringCertificate = certificate(keytoolDir, "soon.pem", "CN=soon.lifeboat.test", 10);
    }

    @BeforeEach
    void createRepository() {
        repo = dir.resolve("repo");
        lifeboat = new LifeboatCli(repo);
        lifeboat.ok("init");
    }

    @Test
    void restoreIsIdenticalToTheSourceInBytesModesOwnersTimesAndSymlinks() throws Exception {
        Path src = richTree(dir.resolve("data/src"));
        lifeboat.ok("backup", "--quiet", src.toString());

        Path target = dir.resolve("restore");
        Files.createDirectory(target);
        LifeboatCli.Run restore = lifeboat.ok("restore", "latest", "--quiet", "--target", target.toString());

        assertThat(restore.out()).startsWith("restored snapshot ");
        assertThat(TreeCompare.differences(src, Trees.restored(target, src), true)).isEmpty();
        assertThat(Trees.partialFiles(target)).isEmpty();
    }

    @Test
    void secondBackupOfAnUnchangedTreeAddsNoNewData() throws Exception {
        Path src = smallTree(dir.resolve("data/src"));
        JsonNode first = lifeboat.ok("backup", "--json", src.toString()).json();
        JsonNode second = lifeboat.ok("backup", "--json", src.toString()).json();

        assertThat(first.get("summary").get("newBytes").asLong()).isPositive();
        assertThat(second.get("parent").asText()).isEqualTo(first.get("snapshot").asText());
        assertThat(second.get("summary").get("newBytes").asLong()).isZero();
        assertThat(second.get("summary").get("newBlobs").asLong()).isZero();
        assertThat(second.get("summary").get("files").asLong()).isEqualTo(first.get("summary").get("files").asLong());
    }

    @Test
    void snapshotsJsonDescribesEachBackup() throws Exception {
        Path src = smallTree(dir.resolve("data/src"));
        String id = lifeboat.ok("backup", "--json", "--tag", "nightly", src.toString()).json().get("snapshot").asText();

        JsonNode list = lifeboat.ok("snapshots", "--json").json();

        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("id").asText()).isEqualTo(id);
        JsonNode s = list.get(0).get("snapshot");
        assertThat(s.get("type").asText()).isEqualTo("files");
        assertThat(s.get("paths")).extracting(JsonNode::asText).containsExactly(src.toString());
        assertThat(s.get("tags")).extracting(JsonNode::asText).containsExactly("nightly");
        assertThat(s.get("summary").get("files").asLong()).isEqualTo(Trees.files(src).size());
        assertThat(s.get("summary").get("bytes").asLong()).isEqualTo(6 + 7 + 2048);
    }

    @Test
    void lsListsTheAncestorsAndEveryPathInTreeOrder() throws Exception {
        Path src = smallTree(dir.resolve("data/src"));
        lifeboat.ok("backup", src.toString());

        List<String> expected = new ArrayList<>();
        for (Path p = src; p.getParent() != null; p = p.getParent()) {
            expected.addFirst(p.toString());
        }
        expected.removeLast();
        walkInTreeOrder(src, expected);

        assertThat(lifeboat.ok("ls", "latest").outLines()).containsExactlyElementsOf(expected);
    }

    @Test
    void lsLongShowsModeOwnerAndSymlinkTarget() throws Exception {
        Path src = smallTree(dir.resolve("data/src"));
        lifeboat.ok("backup", src.toString());

        List<String> lines = lifeboat.ok("ls", "--long", "latest").outLines();

        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(String.format("-rw------- %-8s %-8s %12d ", "root", "root", 7))
                .endsWith(" " + src.resolve("secret.env")));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("lrwxrwxrwx ")
                .endsWith(" " + src.resolve("link") + " -> a.txt"));
    }

    @Test
    void diffListsAddedRemovedModifiedTypeChangedAndMetadataChanges() throws Exception {
        Path src = dir.resolve("data/src");
        Trees.file(src.resolve("a-changed.txt"), "x".repeat(100));
        Trees.file(src.resolve("b-chmod.txt"), "same");
        Trees.file(src.resolve("c-gone.txt"), "y".repeat(30));
        Trees.file(src.resolve("e-link"), "z".repeat(20));
        Trees.file(src.resolve("g-same.txt"), "unchanged");
        String a = lifeboat.ok("backup", "--json", src.toString()).json().get("snapshot").asText();

        Trees.file(src.resolve("a-changed.txt"), "w".repeat(150));
        Files.setPosixFilePermissions(src.resolve("b-chmod.txt"), PosixFilePermissions.fromString("rwx------"));
        Files.delete(src.resolve("c-gone.txt"));
        Trees.file(src.resolve("d-new.txt"), "n".repeat(40));
        Files.delete(src.resolve("e-link"));
        Trees.symlink(src.resolve("e-link"), "g-same.txt");
        Trees.file(src.resolve("f-dir/inner.txt"), "i".repeat(10));
        String b = lifeboat.ok("backup", "--json", src.toString()).json().get("snapshot").asText();

        assertThat(lifeboat.ok("diff", a.substring(0, 8), b).outLines()).containsExactly(
                "M  " + src.resolve("a-changed.txt"),
                "U  " + src.resolve("b-chmod.txt"),
                "-  " + src.resolve("c-gone.txt"),
                "+  " + src.resolve("d-new.txt"),
                "T  " + src.resolve("e-link"),
                "+  " + src.resolve("f-dir"),
                "+  " + src.resolve("f-dir/inner.txt"),
                "3 added, 1 removed, 1 modified, 1 type changed, 1 metadata only; size +50 B");
    }

    @Test
    void defaultExcludesDropDependencyAndBuildFoldersAtAnyDepth() throws Exception {
        Path src = treeWithBuildFolders(dir.resolve("data/src"));
        lifeboat.ok("backup", src.toString());

        assertThat(fileNodes("latest", src)).containsExactly("app.js", "docs/build", "packages/ui/index.js");
    }

    @Test
    void noDefaultExcludesKeepsDependencyAndBuildFolders() throws Exception {
        Path src = treeWithBuildFolders(dir.resolve("data/src"));
        lifeboat.ok("backup", "--no-default-excludes", src.toString());

        assertThat(fileNodes("latest", src)).containsExactlyElementsOf(Trees.files(src));
    }

    @Test
    void excludeOptionDropsMatchingFilesAtAnyDepth() throws Exception {
        Path src = dir.resolve("data/src");
        Trees.file(src.resolve("app.log"), "log");
        Trees.file(src.resolve("logs/old.log"), "log");
        Trees.file(src.resolve("logs/keep.txt"), "keep");
        Trees.file(src.resolve("log.txt"), "keep");

        lifeboat.ok("backup", "--exclude", "*.log", src.toString());

        assertThat(fileNodes("latest", src)).containsExactly("log.txt", "logs/keep.txt");
    }

    @Test
    void restoreIncludeRestoresOnlyTheMatchingSubtree() throws Exception {
        Path src = smallTree(dir.resolve("data/src"));
        Trees.file(src.resolve("docs/guide/intro.md"), "# intro");
        Trees.file(src.resolve("docs/index.md"), "# index");
        lifeboat.ok("backup", src.toString());

        Path target = dir.resolve("restore");
        lifeboat.ok("restore", "latest", "--target", target.toString(), "--include", "docs");

        Path restored = Trees.restored(target, src);
        assertThat(Trees.entries(restored)).containsExactly("docs", "docs/guide", "docs/guide/intro.md", "docs/index.md");
        assertThat(TreeCompare.differences(src.resolve("docs"), restored.resolve("docs"), true)).isEmpty();
    }

    @Test
    void configBackupTakesEnvironmentAndComposeFilesOnly() throws Exception {
        Path app = dir.resolve("data/app");
        Trees.file(app.resolve(".env"), "DATABASE_URL=postgres://app@db/app\n");
        Trees.file(app.resolve("docker-compose.yml"), "services: {db: {image: postgres}}\n");
        Trees.file(app.resolve("server.js"), "console.log('hi')\n");
        Trees.file(app.resolve("README.md"), "# app\n");
        Trees.file(app.resolve("uploads/photo.jpg"), "jpeg");
        Trees.file(app.resolve("node_modules/pkg/package.json"), "{}");

        lifeboat.ok("backup", "--type", "config", app.toString());

        assertThat(fileNodes("latest", app)).containsExactly(".env", "docker-compose.yml");
        assertThat(lifeboat.ok("snapshots", "--json").json().get(0).get("snapshot").get("type").asText())
                .isEqualTo("config");
    }

    @Test
    void certificatesBackupRecordsSubjectExpiryAndFingerprint() throws Exception {
        Path certs = dir.resolve("data/certs");
        Path pem = copy(longLivedCertificate, certs.resolve("cert.pem"));
        privateKey(certs.resolve("cert.key"));
        Trees.file(certs.resolve("README.txt"), "renew with certbot");

        LifeboatCli.Run backup = lifeboat.ok("backup", "--type", "certificates", certs.toString());
        assertThat(backup.outLines()).anySatisfy(l -> assertThat(l)
                .startsWith("  1 certificate(s); soonest expiry ").endsWith("in '" + relative(pem) + "'"));
        assertThat(backup.err()).doesNotContain("warning");

        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
        JsonNode entry = lifeboat.ok("snapshots", "--json").json().get(0);
        JsonNode details = entry.get("snapshot").get("details");
        assertThat(details.get("certificates")).hasSize(1);
        JsonNode recorded = details.get("certificates").get(0);
        assertThat(recorded.get("path").asText()).isEqualTo(relative(pem));
        assertThat(recorded.get("subject").asText()).isEqualTo("CN=lifeboat.test,O=Lifeboat");
        assertThat(Instant.parse(recorded.get("notAfter").asText())).isEqualTo(cert.getNotAfter().toInstant());
        assertThat(recorded.get("sha256").asText()).isEqualTo(keytoolFingerprint(pem));
        assertThat(details.get("privateKeys")).extracting(JsonNode::asText).containsExactly(relative(certs.resolve("cert.key")));
        assertThat(Instant.parse(entry.get("soonestCertificateExpiry").asText()))
                .isEqualTo(cert.getNotAfter().toInstant());
    }

    @Test
    void certificateExpiringWithinTheWarningPeriodIsFlagged() throws Exception {
        Path certs = dir.resolve("data/certs");
        Path pem = copy(expiringCertificate, certs.resolve("soon.pem"));

        LifeboatCli.Run backup = lifeboat.ok("backup", "--type", "certificates", certs.toString());

        assertThat(backup.errLines()).contains("warning: certificate '" + relative(pem) + "' expires in 9 days");
    }

    @Test
    void privateKeyKeepsMode0600AfterRestore() throws Exception {
        Path certs = dir.resolve("data/certs");
        copy(longLivedCertificate, certs.resolve("cert.pem"));
        Path key = privateKey(certs.resolve("cert.key"));
        lifeboat.ok("backup", "--type", "certificates", certs.toString());

        Path target = dir.resolve("restore");
        lifeboat.ok("restore", "latest", "--type", "certificates", "--target", target.toString());

        Path restoredKey = Trees.restored(target, key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(restoredKey))).isEqualTo("rw-------");
        assertThat(Files.readAllBytes(restoredKey)).isEqualTo(Files.readAllBytes(key));
        assertThat(TreeCompare.differences(certs, Trees.restored(target, certs), true)).isEmpty();
    }

    @Test
    void addedKeyOpensTheRepositoryAndIsListed() throws Exception {
        String first = currentKey();
        Path pwFile = Trees.file(dir.resolve("second.pw"), "second password\n");

        String added = lifeboat.ok("key", "add", "--json", "--new-password-file", pwFile.toString())
                .json().get("added").asText();

        JsonNode keys = lifeboat.ok("key", "list", "--json").json();
        assertThat(keys).extracting(k -> k.get("id").asText()).containsExactlyInAnyOrder(first, added);
        lifeboat.env.put("LIFEBOAT_PASSWORD", "second password");
        assertThat(currentKey()).isEqualTo(added);
        lifeboat.ok("snapshots");
    }

    @Test
    void passwdReplacesTheKeyInUse() throws Exception {
        String first = currentKey();
        lifeboat.ok("key", "add", "--new-password-file", Trees.file(dir.resolve("2.pw"), "second").toString());
        lifeboat.env.put("LIFEBOAT_PASSWORD", "second");
        String second = currentKey();

        JsonNode changed = lifeboat.ok("key", "passwd", "--json", "--new-password-file",
                Trees.file(dir.resolve("3.pw"), "third").toString()).json();

        assertThat(changed.get("removed").asText()).isEqualTo(second);
        assertThat(lifeboat.run("snapshots").exit()).isEqualTo(12);
        lifeboat.env.put("LIFEBOAT_PASSWORD", "third");
        assertThat(currentKey()).isEqualTo(changed.get("added").asText());
        assertThat(lifeboat.ok("key", "list", "--json").json()).extracting(k -> k.get("id").asText())
                .containsExactlyInAnyOrder(first, changed.get("added").asText());
    }

    @Test
    void removingTheKeyInUseIsRefusedAndAnotherKeyCanBeRemoved() throws Exception {
        String first = currentKey();
        String second = lifeboat.ok("key", "add", "--json", "--new-password-file",
                Trees.file(dir.resolve("2.pw"), "second").toString()).json().get("added").asText();

        LifeboatCli.Run refused = lifeboat.run("key", "remove", first.substring(0, 8));
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.errLines()).containsExactly(
                "lifeboat: key '" + first.substring(0, 8) + "' is the one in use",
                "HINT: open the repository with another key's password to remove this one");

        lifeboat.ok("key", "remove", second.substring(0, 10));
        assertThat(lifeboat.ok("key", "list", "--json").json()).extracting(k -> k.get("id").asText())
                .containsExactly(first);
        lifeboat.env.put("LIFEBOAT_PASSWORD", "second");
        assertThat(lifeboat.run("snapshots").exit()).isEqualTo(12);
    }

    private String currentKey() {
        JsonNode keys = lifeboat.ok("key", "list", "--json").json();
        return StreamSupport.stream(keys.spliterator(), false).filter(k -> k.get("current").asBoolean())
                .map(k -> k.get("id").asText()).findFirst().orElseThrow();
    }

    /** The files of a snapshot below a backed-up root, relative to it. */
    private List<String> fileNodes(String snapshot, Path root) {
        String prefix = root.toString().substring(1) + "/";
        JsonNode nodes = lifeboat.ok("ls", "--json", snapshot).json();
        return StreamSupport.stream(nodes.spliterator(), false)
                .filter(n -> n.get("type").asText().equals("file"))
                .map(n -> n.get("path").asText())
                .peek(p -> assertThat(p).startsWith(prefix))
                .map(p -> p.substring(prefix.length())).sorted().toList();
    }

    private static String relative(Path p) {
        return p.toString().substring(1);
    }

    private static void walkInTreeOrder(Path p, List<String> out) throws IOException {
        out.add(p.toString());
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            List<Path> children;
            try (var s = Files.list(p)) {
                children = s.sorted((x, y) -> x.getFileName().toString().compareTo(y.getFileName().toString())).toList();
            }
            for (Path c : children) {
                walkInTreeOrder(c, out);
            }
        }
    }

    private static Path smallTree(Path src) throws IOException {
        Trees.file(src.resolve("a.txt"), "alpha\n");
        Trees.file(src.resolve("secret.env"), "X=1\nY=2".getBytes(StandardCharsets.UTF_8), "rw-------");
        Trees.file(src.resolve("sub/deeper/data.bin"), Trees.random(7, 2048), "rw-r--r--");
        Trees.dir(src.resolve("sub/empty"), "rwxr-xr-x");
        Trees.symlink(src.resolve("link"), "a.txt");
        return src;
    }

    private static Path treeWithBuildFolders(Path src) throws IOException {
        Trees.file(src.resolve("app.js"), "app");
        Trees.file(src.resolve("node_modules/left-pad/index.js"), "pad");
        Trees.file(src.resolve("packages/ui/index.js"), "ui");
        Trees.file(src.resolve("packages/ui/node_modules/react/index.js"), "react");
        Trees.file(src.resolve(".git/HEAD"), "ref: refs/heads/main");
        Trees.file(src.resolve("target/classes/App.class"), "class");
        Trees.file(src.resolve("build/out.js"), "out");
        Trees.file(src.resolve("dist/bundle.js"), "bundle");
        Trees.file(src.resolve("docs/build"), "a file named build is not a build folder");
        return src;
    }

    /** A tree with every kind of node and metadata a restore must put back. */
    private static Path richTree(Path src) throws IOException {
        Trees.largeFile(src.resolve("big/random.bin"), 1, 11L * 1024 * 1024 + 123, false);
        Trees.largeFile(src.resolve("big/text.log"), 2, 4L * 1024 * 1024 + 7, true);
        Trees.file(src.resolve("README.md"), Trees.text(3, 20_000), "rw-r--r--");
        Trees.file(src.resolve("empty.txt"), new byte[0], "rw-r-----");
        Trees.file(src.resolve("secret.env"), "PASSWORD=hunter2\n".getBytes(StandardCharsets.UTF_8), "rw-------");
        Trees.file(src.resolve("run.sh"), "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8), "rwxr-xr-x");
        Trees.file(src.resolve("readonly.txt"), Trees.text(4, 300), "r--r--r--");
        Trees.file(src.resolve("no-permissions.txt"), Trees.text(5, 100), "---------");
        Path setuid = Trees.file(src.resolve("setuid-tool"), Trees.random(6, 500), "rwxr-xr-x");
        chmod("4755", setuid);
        Path owned = Trees.file(src.resolve("owned-by-nobody-known.txt"), Trees.text(7, 50), "rw-rw-r--");
        Files.setAttribute(owned, "unix:uid", 1234);
        Files.setAttribute(owned, "unix:gid", 5678);
        Trees.file(src.resolve("name with spaces & 'quotes'.txt"), Trees.text(8, 10), "rw-r--r--");
        Trees.file(src.resolve("line\nbreak.txt"), Trees.text(9, 10), "rw-r--r--");
        Trees.file(src.resolve("app/lib/deep/nested/leaf.txt"), Trees.text(10, 5000), "rw-r--r--");
        Trees.dir(src.resolve("app/lib/deep/empty-dir"), "rwx------");
        Trees.symlink(src.resolve("app/link-to-readme"), "../README.md");
        Trees.symlink(src.resolve("links/absolute"), src.resolve("README.md").toString());
        Trees.symlink(src.resolve("links/dangling"), "does/not/exist");
        Trees.symlink(src.resolve("links/to-dir"), "../app");
        Path ownedLink = Trees.symlink(src.resolve("links/owned"), "../README.md");
        Files.setAttribute(ownedLink, "unix:uid", 4321, LinkOption.NOFOLLOW_LINKS);
        Trees.dir(src.resolve("emptydir"), "rwxr-xr-x");
        Trees.file(src.resolve("private/key"), Trees.random(11, 64), "r--------");
        Trees.dir(src.resolve("private"), "rwx------");
        chmod("1777", Trees.dir(src.resolve("sticky"), "rwxrwxrwx"));
        chmod("2775", Trees.dir(src.resolve("setgid"), "rwxrwxr-x"));
        Trees.file(src.resolve("setgid/inside.txt"), Trees.text(12, 10), "rw-r--r--");
        Trees.dir(src.resolve("read-only-dir"), "rwxr-xr-x");
        Trees.file(src.resolve("read-only-dir/inside.txt"), Trees.text(13, 10), "rw-r--r--");
        Trees.dir(src.resolve("read-only-dir"), "r-x------");

        Trees.mtime(src.resolve("README.md"), NANOS_TIME);
        Trees.mtime(src.resolve("empty.txt"), BEFORE_1970);
        Trees.mtime(src.resolve("run.sh"), FAR_FUTURE);
        Trees.mtime(src.resolve("big/random.bin"), NANOS_TIME.minus(Duration.ofDays(400)));
        Trees.mtime(src.resolve("app/link-to-readme"), NANOS_TIME.plusNanos(1));
        Trees.mtime(src.resolve("links/dangling"), BEFORE_1970);
        Trees.mtime(src.resolve("app/lib/deep/empty-dir"), NANOS_TIME);
        return src;
    }

    private static void chmod(String mode, Path p) throws IOException {
        run(List.of("chmod", mode, p.toString()));
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        return Files.copy(from, to);
    }

    private static Path certificate(Path dir, String name, String subject, int days) throws IOException {
        Path store = dir.resolve(name + ".p12");
        run(List.of(keytool(), "-genkeypair", "-alias", "site", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", subject, "-validity", Integer.toString(days), "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit"));
        Path pem = dir.resolve(name);
        run(List.of(keytool(), "-exportcert", "-rfc", "-alias", "site", "-keystore", store.toString(),
                "-storepass", "changeit", "-file", pem.toString()));
        return pem;
    }

    private static String keytoolFingerprint(Path pem) throws IOException {
        String out = run(List.of(keytool(), "-printcert", "-file", pem.toString()));
        return out.lines().map(String::trim).filter(l -> l.startsWith("SHA256: ")).findFirst().orElseThrow()
                .substring("SHA256: ".length());
    }

    private static Path privateKey(Path file) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(gen.generateKeyPair().getPrivate().getEncoded());
        return Trees.file(file, ("-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n")
                .getBytes(StandardCharsets.US_ASCII), "rw-------");
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
        return out;
    }
}
