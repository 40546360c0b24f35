package dev.lifeboat.engine.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.engine.certs.TestCertificates;
import dev.lifeboat.engine.config.Settings;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.ForwardingBackend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.lifeboat.engine.files.FileTrees.file;
import static dev.lifeboat.engine.files.FileTrees.lastAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.assertj.core.api.Assumptions.assumeThat;

class FileBackupTest {
    /** Kept away from /tmp: see {@link TargetTempDirs}. */
    @TempDir(factory = TargetTempDirs.class)
    Path dir;

    @Test
    void firstBackupRecordsEveryEntryOfTheTree() throws Exception {
        Path src = dir.resolve("src");
        FileTrees.createEverything(src);
        try (Repository repo = Backups.memoryRepository()) {
            FileBackup.Result result = Backups.files(repo, src);

            assertThat(result.warnings()).isEmpty();
            assertThat(result.parent()).isNull();
            Snapshot s = result.snapshot().snapshot();
            assertThat(s.type()).isEqualTo("files");
            assertThat(s.paths()).containsExactly(src.toString());
            assertThat(Backups.pathsBelow(repo, result.snapshot(), src)).containsExactly("",
                    "README.md", "big.bin", "bin", "bin/run.sh", "données", "données/résumé ✓.txt",
                    "emoji 🚀.txt", "empty", "empty.txt", "links", "links/absolute", "links/dangling", "links/owned",
                    "links/to-dir", "links/to-readme", "nested", "nested/a", "nested/a/b", "nested/a/b/c",
                    "nested/a/b/c/deep.txt", "nested/empty-dir", "order", "order/a", "order/a/inside.txt",
                    "order/a-b.txt", "order/a.txt", "owned", "owned/data.txt", "secrets", "secrets/token.txt",
                    "shared", "shared/report.csv", "日本語", "日本語/ファイル.txt");
            List<String> ancestors = ancestors(src);
            assertThat(Backups.paths(repo, result.snapshot())).startsWith(ancestors.toArray(String[]::new));
            Summary summary = s.summary();
            assertThat(summary.files()).isEqualTo(FileTrees.regularFiles(src).size());
            assertThat(summary.symlinks()).isEqualTo(5);
            assertThat(summary.dirs()).isEqualTo(ancestors.size() + 1 + 15);
            assertThat(summary.bytes()).isEqualTo(FileTrees.BIG_SIZE + sizeOfSmallFiles(src));
            assertThat(summary.errors()).isZero();
        }
    }

    @Test
    void aCompressionLevelOfItsOwnDecidesHowTheDataIsStoredAndItRestoresTheSame() throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        StringBuilder table = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            table.append(i).append(",customer ").append(i % 97).append(",").append(i * 7 % 1000).append(".00\n");
        }
        Files.writeString(src.resolve("table.csv"), table);
        long size = Files.size(src.resolve("table.csv"));
        FileBackup.Request request = new FileBackup.Request(SourceType.FILES, List.of(src), List.of(), List.of(),
                List.of(), null, true, 30);
        try (Repository none = Backups.memoryRepository(); Repository fastest = Backups.memoryRepository()) {
            // the repositories compress at level 3: level 0 must store the data as it is
            FileBackup.Result stored = new FileBackup(none, dev.lifeboat.repo.Progress.NONE).compressionLevel(0).run(request);
            long plain = stored.snapshot().snapshot().summary().storedBytes();
            long level1 = new FileBackup(fastest, dev.lifeboat.repo.Progress.NONE).compressionLevel(1).run(request)
                    .snapshot().snapshot().summary().storedBytes();

            assertThat(none.config().compressionLevel()).isEqualTo(3);
            assertThat(plain).isGreaterThan(size);
            assertThat(level1).isLessThan(size / 3);
            Path target = dir.resolve("target");
            Backups.restore(none, stored.snapshot(), target);
            assertThat(Backups.restored(target, src).resolve("table.csv")).hasSameBinaryContentAs(src.resolve("table.csv"));
        }
    }

    @Test
    void fixedPiecesCutAFileAtFixedOffsetsAndAChangedPageAddsOnlyItsPiece() throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        Path relation = src.resolve("16396");
        byte[] pages = new byte[25 * 8192 + 100];
        new java.util.Random(7).nextBytes(pages);
        Files.write(relation, pages);
        FileBackup.Request request = new FileBackup.Request(SourceType.FILES, List.of(src), List.of(), List.of(),
                List.of(), null, true, 30);
        try (Repository repo = Backups.memoryRepository()) {
            FileBackup.Result first = new FileBackup(repo, dev.lifeboat.repo.Progress.NONE).fixedPieces(8 * 8192).run(request);

            // 25 pages and 100 bytes in pieces of 8 pages: 8, 8, 8 and the rest
            assertThat(Backups.node(repo, first.snapshot(), relation).content()).hasSize(4);
            pages[12 * 8192 + 5] ^= 1;
            Files.write(relation, pages);
            Files.setLastModifiedTime(relation, FileTime.from(Instant.now().plusSeconds(5)));
            FileBackup.Result second = new FileBackup(repo, dev.lifeboat.repo.Progress.NONE).fixedPieces(8 * 8192).run(request);

            Summary s = second.snapshot().snapshot().summary();
            // the changed piece and the tree that names it
            assertThat(s.newBlobs()).isEqualTo(2);
            List<?> before = Backups.node(repo, first.snapshot(), relation).content();
            List<?> after = Backups.node(repo, second.snapshot(), relation).content();
            assertThat(after).hasSize(4);
            assertThat(after.get(0)).isEqualTo(before.get(0));
            assertThat(after.get(1)).isNotEqualTo(before.get(1));
            assertThat(after.subList(2, 4)).isEqualTo(before.subList(2, 4));
            Path target = dir.resolve("target");
            Backups.restore(repo, second.snapshot(), target);
            assertThat(Backups.restored(target, src).resolve("16396")).hasBinaryContent(pages);
        }
    }

    @Test
    void nodesKeepModeOwnerAndNanosecondMtime() throws Exception {
        Path src = dir.resolve("src");
        FileTrees.createEverything(src);
        try (Repository repo = Backups.memoryRepository()) {
            var snapshot = Backups.files(repo, src).snapshot();

            Node owned = Backups.node(repo, snapshot, src.resolve("owned/data.txt"));
            assertThat(owned.mode()).isEqualTo(0640);
            assertThat(owned.uid()).isEqualTo(FileTrees.OTHER_UID);
            assertThat(owned.gid()).isEqualTo(FileTrees.OTHER_GID);
            assertThat(owned.mtime()).isEqualTo(nanos(Files.getLastModifiedTime(src.resolve("owned/data.txt"))));
            assertThat(owned.mtime() % 1000).as("nanoseconds kept").isNotZero();
            assertThat(Backups.node(repo, snapshot, src.resolve("shared")).mode()).isEqualTo(02755);
            assertThat(Backups.node(repo, snapshot, src.resolve("secrets/token.txt")).mode()).isEqualTo(0600);
            assertThat(Backups.node(repo, snapshot, src.resolve("bin/run.sh")).mode()).isEqualTo(0755);
            Node dangling = Backups.node(repo, snapshot, src.resolve("links/dangling"));
            assertThat(dangling.target()).isEqualTo("does/not/exist");
            assertThat(dangling.content()).isNull();
            Node empty = Backups.node(repo, snapshot, src.resolve("empty.txt"));
            assertThat(empty.size()).isZero();
            assertThat(empty.content()).isEmpty();
        }
    }

    @Test
    void secondBackupOfAnUnchangedTreeUsesTheParentAndStoresNothingNew() throws Exception {
        Path src = dir.resolve("src");
        FileTrees.createEverything(src);
        try (Repository repo = Backups.memoryRepository()) {
            FileBackup.Result first = Backups.files(repo, src);
            FileBackup.Result second = Backups.files(repo, src);

            assertThat(first.snapshot().snapshot().summary().newBlobs()).isPositive();
            assertThat(second.parent()).isEqualTo(first.snapshot().id());
            Snapshot s = second.snapshot().snapshot();
            assertThat(s.parent()).isEqualTo(first.snapshot().id());
            assertThat(s.summary().newBlobs()).isZero();
            assertThat(s.summary().newBytes()).isZero();
            assertThat(s.summary().files()).isEqualTo(first.snapshot().snapshot().summary().files());
            assertThat(s.tree()).isEqualTo(first.snapshot().snapshot().tree());
        }
    }

    /**
     * Reads are observed through access times: under relatime a read moves the access time whenever it
     * is older than the mtime, so files get an mtime in the future and an access time in the past.
     */
    @Test
    void unchangedFilesAreNotReadAgainButOneWhoseCtimeChangedIs() throws Exception {
        Instant future = Instant.parse("2099-01-01T00:00:00.000000001Z");
        Instant past = Instant.parse("2000-01-01T00:00:00Z");
        Path src = dir.resolve("src");
        Path touched = file(src.resolve("touched.bin"), FileTrees.random(64 * 1024, 2), 0644);
        Path untouched = file(src.resolve("untouched.bin"), FileTrees.random(64 * 1024, 3), 0644);
        setTimes(touched, future, past);
        setTimes(untouched, future, past);
        try (Repository repo = Backups.memoryRepository()) {
            FileBackup.Result first = Backups.files(repo, src);
            assumeThat(lastAccess(untouched)).as("the file system records reads (it is not mounted noatime)")
                    .isAfter(past);
            Instant untouchedRead = lastAccess(untouched);
            // setting the access time back changes the ctime and nothing else
            setTimes(touched, future, past);

            FileBackup.Result second = Backups.files(repo, src);

            assertThat(second.parent()).isEqualTo(first.snapshot().id());
            assertThat(lastAccess(untouched)).as("the unchanged file was not read").isEqualTo(untouchedRead);
            assertThat(lastAccess(touched)).as("the file with a new ctime was read").isAfter(past);
            assertThat(Backups.node(repo, second.snapshot(), touched).content())
                    .isEqualTo(Backups.node(repo, first.snapshot(), touched).content());
        }
    }

    @Test
    void fileChangedInTheMiddleWithItsMtimeSetBackIsDetectedByItsCtime() throws Exception {
        Path src = dir.resolve("src");
        FileTrees.createEverything(src);
        Path big = src.resolve("big.bin");
        try (Repository repo = Backups.memoryRepository()) {
            FileBackup.Result first = Backups.files(repo, src);
            FileTime mtime = Files.getLastModifiedTime(big);
            try (FileChannel ch = FileChannel.open(big, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap("changed in the middle".getBytes(StandardCharsets.UTF_8)),
                        FileTrees.BIG_SIZE / 2);
            }
            Files.setLastModifiedTime(big, mtime);

            FileBackup.Result second = Backups.files(repo, src);

            Node before = Backups.node(repo, first.snapshot(), big);
            Node after = Backups.node(repo, second.snapshot(), big);
            assertThat(second.parent()).isEqualTo(first.snapshot().id());
            assertThat(after.size()).isEqualTo(before.size());
            assertThat(after.mtime()).isEqualTo(before.mtime());
            assertThat(after.content()).isNotEqualTo(before.content());
            assertThat(second.snapshot().snapshot().summary().newBlobs()).isPositive();
            List<SnapshotDiff.Change> changes = new ArrayList<>();
            SnapshotDiff.compare(repo, first.snapshot().snapshot(), second.snapshot().snapshot(), changes::add);
            assertThat(changes).containsExactly(
                    new SnapshotDiff.Change(SnapshotDiff.Kind.MODIFIED, Backups.nodePath(big), 0));
            Path target = dir.resolve("restored");
            assertThat(Backups.restore(repo, second.snapshot(), target).errors()).isEmpty();
            assertThat(Backups.restored(target, big)).hasSameBinaryContentAs(big);
        }
    }

    @Test
    void defaultExcludesDropTheirDirectoriesButKeepFilesOfTheSameName() throws Exception {
        Path app = dir.resolve("app");
        for (String f : List.of("build", "src/Main.java", "src/dist", "src/target.txt", "lib/.git/config",
                "node_modules/left-pad/index.js", "web/node_modules/x.js", "target/classes/Main.class",
                "web/build/bundle.js", "dist/app.tar", ".git/HEAD")) {
            file(app.resolve(f), f + "\n", 0644);
        }
        List<String> excludes = Settings.FILES_EXCLUDE.defaultValue();
        try (Repository repo = Backups.memoryRepository()) {
            FileBackup.Result result = Backups.backup(repo, SourceType.FILES, excludes, List.of(), app);

            assertThat(Backups.pathsBelow(repo, result.snapshot(), app)).containsExactly("", "build", "lib", "src",
                    "src/Main.java", "src/dist", "src/target.txt", "web");
            assertThat(result.snapshot().snapshot().excludes()).isEqualTo(excludes);
        }
    }

    @Test
    void configBackupTakesConfigurationFilesAtAnyDepthAndOnlyTheDirectoriesHoldingThem() throws Exception {
        Path proj = dir.resolve("proj");
        for (String f : List.of(".env", ".env.production", "docker-compose.yml", "package.json", "src/App.java",
                "docs/guide.md", "services/api/.env", "services/api/package.json", "services/api/src/App.java",
                "node_modules/pkg/package.json", "web/public/index.html")) {
            file(proj.resolve(f), f + "\n", 0644);
        }
        try (Repository repo = Backups.memoryRepository()) {
            FileBackup.Result result = Backups.backup(repo, SourceType.CONFIG,
                    Settings.CONFIG_EXCLUDE.defaultValue(), Settings.CONFIG_INCLUDE.defaultValue(), proj);

            assertThat(result.snapshot().snapshot().type()).isEqualTo("config");
            assertThat(Backups.pathsBelow(repo, result.snapshot(), proj)).containsExactly("", ".env",
                    ".env.production", "docker-compose.yml", "package.json", "services", "services/api",
                    "services/api/.env", "services/api/package.json");
            assertThat(Backups.paths(repo, result.snapshot())).startsWith(ancestors(proj).toArray(String[]::new));
        }
    }

    @Test
    void configBackupOfSeveralRootsKeepsTheDirectoriesAboveThem() throws Exception {
        Path withoutConfig = dir.resolve("a");
        Path withConfig = dir.resolve("b");
        file(withoutConfig.resolve("src/App.java"), "class App {}\n", 0644);
        file(withConfig.resolve(".env"), "A=1\n", 0600);
        try (Repository repo = Backups.memoryRepository()) {
            FileBackup.Result result = Backups.backup(repo, SourceType.CONFIG, List.of(),
                    Settings.CONFIG_INCLUDE.defaultValue(), withoutConfig, withConfig);

            List<String> expected = new ArrayList<>(ancestors(withConfig));
            expected.add(Backups.nodePath(withConfig));
            expected.add(Backups.nodePath(withConfig.resolve(".env")));
            assertThat(Backups.paths(repo, result.snapshot())).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void certificatesBackupRecordsEveryCertificateTheSoonestExpiryAndThePrivateKeys() throws Exception {
        Path certs = dir.resolve("certs");
        Files.createDirectories(certs);
        Path pem = certs.resolve("app.pem");
        Path der = certs.resolve("legacy.der");
        TestCertificates.create(certs.resolve("app.p12"), "app", "CN=app.example.com, O=Lifeboat Test, C=DE",
                Instant.parse("2030-01-01T00:00:00Z"), 30, pem, true);
        TestCertificates.create(certs.resolve("legacy.p12"), "legacy", "CN=legacy.example.com, O=Lifeboat Test, C=DE",
                Instant.parse("2029-03-01T00:00:00Z"), 10, der, false);
        Path key = file(certs.resolve("private/app.key"), """
                -----BEGIN PRIVATE KEY-----
                MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg
                -----END PRIVATE KEY-----
                """, 0600);
        file(certs.resolve("README.txt"), "renew every year\n", 0644);
        try (Repository repo = Backups.memoryRepository()) {
            FileBackup.Result result = Backups.backup(repo, SourceType.CERTIFICATES, List.of(), List.of(), certs);

            JsonNode details = result.snapshot().snapshot().details();
            assertThat(result.snapshot().snapshot().type()).isEqualTo("certificates");
            assertThat(details.get("certificates")).hasSize(2);
            JsonNode legacy = details.get("certificates").get(0);
            assertThat(legacy.get("path").asText()).isEqualTo(Backups.nodePath(der));
            assertThat(legacy.get("subject").asText()).isEqualTo("CN=legacy.example.com,O=Lifeboat Test,C=DE");
            assertThat(legacy.get("issuer").asText()).isEqualTo("CN=legacy.example.com,O=Lifeboat Test,C=DE");
            assertThat(legacy.get("notBefore").asText()).isEqualTo("2029-03-01T00:00:00Z");
            assertThat(legacy.get("notAfter").asText()).isEqualTo("2029-03-11T00:00:00Z");
            assertThat(legacy.get("sha256").asText())
                    .isEqualTo(TestCertificates.fingerprint(Files.readAllBytes(der)));
            JsonNode app = details.get("certificates").get(1);
            assertThat(app.get("path").asText()).isEqualTo(Backups.nodePath(pem));
            assertThat(app.get("subject").asText()).isEqualTo("CN=app.example.com,O=Lifeboat Test,C=DE");
            assertThat(app.get("notAfter").asText()).isEqualTo("2030-01-31T00:00:00Z");
            assertThat(app.get("sha256").asText()).isEqualTo(
                    TestCertificates.fingerprint(TestCertificates.derOfPem(pem)));
            assertThat(details.get("soonestExpiry").asText()).isEqualTo("2029-03-11T00:00:00Z");
            assertThat(details.get("soonestExpiryPath").asText()).isEqualTo(Backups.nodePath(der));
            assertThat(details.get("privateKeys")).extracting(JsonNode::asText).containsExactly(Backups.nodePath(key));

            Path target = dir.resolve("restored");
            assertThat(Backups.restore(repo, result.snapshot(), target).errors()).isEmpty();
            Path restoredKey = Backups.restored(target, key);
            assertThat(restoredKey).hasSameBinaryContentAs(key);
            assertThat((Integer) Files.getAttribute(restoredKey, "unix:mode") & 07777).isEqualTo(0600);
            assertThat(TreeCompare.differences(certs, Backups.restored(target, certs), true)).isEmpty();
        }
    }

    @Test
    void filesBackupRecordsNoCertificateDetails() throws Exception {
        Path src = dir.resolve("src");
        file(src.resolve("a.txt"), "a\n", 0644);
        try (Repository repo = Backups.memoryRepository()) {
            assertThat(Backups.files(repo, src).snapshot().snapshot().details()).isNull();
        }
    }

    /** The node paths of the directories above an absolute path, outermost first. */
    private static List<String> ancestors(Path p) {
        List<String> out = new ArrayList<>();
        for (Path a = p.getParent(); a != null && a.getParent() != null; a = a.getParent()) {
            out.add(0, Backups.nodePath(a));
        }
        return out;
    }

    private static long sizeOfSmallFiles(Path root) throws Exception {
        long total = 0;
        for (String f : FileTrees.regularFiles(root)) {
            if (!f.equals("big.bin")) {
                total += Files.size(root.resolve(f));
            }
        }
        return total;
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    private static void setTimes(Path p, Instant mtime, Instant atime) throws Exception {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(mtime), FileTime.from(atime), null);
    }

    @Test
    void aStorageFailureFailsTheBackupInsteadOfHanging() throws Exception {
        Path src = dir.resolve("many");
        for (int i = 0; i < 40; i++) {
            file(src.resolve("f" + i), FileTrees.random(300_000, i), 0644);
        }
        Backend failing = new ForwardingBackend(new MemoryBackend()) {
            @Override
            public void put(ObjectName name, byte[] data) {
                if (name.kind() == ObjectKind.DATA) {
                    throw new LifeboatException(ErrorCode.STORAGE_PERMANENT, "disk on fire", null);
                }
                super.put(name, data);
            }
        };
        try (Repository repo = TestRepositories.init(failing, TestRepositories.smallPacks())) {
            Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(120),
                    () -> catchThrowable(() -> Backups.files(repo, src)));

            assertThat(thrown).isInstanceOf(LifeboatException.class).hasMessageContaining("disk on fire");
        }
    }
}
