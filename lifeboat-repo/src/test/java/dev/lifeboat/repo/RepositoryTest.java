package dev.lifeboat.repo;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.ForwardingBackend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectInfo;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.crypto.KeyFile;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.index.IndexFile;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RepositoryTest {
    private static final String INTEGRITY_HINT = "run 'lifeboat check --read-data' to find every damaged object";
    private final MemoryBackend backend = new MemoryBackend();

    @Test
    void openWithTheRightPasswordSeesTheConfigOfInit() {
        RepoConfig config = RepoConfig.fresh();
        Repository created = TestRepositories.init(backend, config);

        Repository opened = TestRepositories.open(backend);

        assertThat(opened.config()).isEqualTo(config);
        assertThat(opened.keyId()).isEqualTo(created.keyId());
        assertThat(keys()).containsExactly(new ObjectName(ObjectKind.KEY, created.keyId().hex()));
        byte[] plain = "x".getBytes(StandardCharsets.UTF_8);
        assertThat(opened.key().blobId(plain, 0, 1)).isEqualTo(created.key().blobId(plain, 0, 1));
    }

    @Test
    void openWithAWrongPasswordFails() {
        TestRepositories.init(backend);

        assertFails(() -> Repository.open(backend, "wrong".toCharArray()), ErrorCode.WRONG_PASSWORD,
                "wrong password: no key of repository 'memory:' opens with it",
                "check LIFEBOAT_PASSWORD, BACKUP_ENCRYPTION_KEY or --password-file");
    }

    @Test
    void openOfAnEmptyBackendFindsNoRepository() {
        assertFails(() -> TestRepositories.open(backend), ErrorCode.NO_REPOSITORY,
                "there is no repository at 'memory:'",
                "run 'lifeboat init' to create one, or check --repo / LIFEBOAT_REPO");
    }

    @Test
    void initOfAnExistingRepositoryFails() {
        Repository first = TestRepositories.init(backend);

        assertFails(() -> TestRepositories.init(backend), ErrorCode.ALREADY_EXISTS,
                "a repository already exists at 'memory:'", "use it as it is, or choose another location");
        assertThat(keys()).containsExactly(new ObjectName(ObjectKind.KEY, first.keyId().hex()));
    }

    @Test
    void initThatLosesARaceLeavesNoKeyBehind() {
        backend.put(ObjectName.CONFIG, new byte[] {1});
        ForwardingBackend racing = new ForwardingBackend(backend) {
            @Override
            public boolean isInitialized() {
                return false;
            }
        };

        assertFails(() -> TestRepositories.init(racing), ErrorCode.ALREADY_EXISTS,
                "a repository already exists at 'memory:'", "another process initialized it at the same moment");
        assertThat(keys()).isEmpty();
        assertThat(backend.get(ObjectName.CONFIG)).containsExactly(1);
    }

    @Test
    void anyKeyOfTheRepositoryOpensIt() {
        Repository repo = TestRepositories.init(backend);
        BlobId second = Repository.saveKey(backend,
                KeyFile.create(repo.key(), "second".toCharArray(), TestRepositories.KDF_MEMORY_KIB, "h", "u"));

        assertThat(Repository.open(backend, "second".toCharArray()).keyId()).isEqualTo(second);
        assertThat(TestRepositories.open(backend).keyId()).isEqualTo(repo.keyId());
    }

    @Test
    void keysAreNamedByTheHashOfTheirBytes() {
        Repository repo = TestRepositories.init(backend);

        byte[] stored = backend.get(new ObjectName(ObjectKind.KEY, repo.keyId().hex()));

        assertThat(Repository.sha256(stored, 0, stored.length)).isEqualTo(repo.keyId());
    }

    @Test
    void unreadableKeyFilesAreSkipped() {
        TestRepositories.init(backend);
        backend.put(new ObjectName(ObjectKind.KEY, "0".repeat(64)), "garbage".getBytes(StandardCharsets.UTF_8));

        assertThat(TestRepositories.open(backend)).isNotNull();
    }

    @Test
    void openReportsAKeyThatCannotBeReadAsAStorageError() {
        TestRepositories.init(backend);
        ForwardingBackend flaky = new ForwardingBackend(backend) {
            @Override
            public byte[] get(ObjectName name) {
                if (name.kind() == ObjectKind.KEY) {
                    throw new LifeboatException(ErrorCode.STORAGE_TRANSIENT, "cannot read '" + name + "': timeout");
                }
                return super.get(name);
            }
        };

        assertFails(() -> TestRepositories.open(flaky), ErrorCode.STORAGE_TRANSIENT);
    }

    @Test
    void openOfARepositoryWithoutKeysFailsWithIntegrity() {
        TestRepositories.init(backend);
        keys().forEach(backend::delete);

        assertFails(() -> TestRepositories.open(backend), ErrorCode.INTEGRITY, "repository 'memory:' has no keys",
                "the keys/ folder was deleted; restore it from a copy of the repository");
    }

    @Test
    void openOfAConfigFromANewerFormatFailsWithIntegrity() {
        Repository repo = TestRepositories.init(backend);
        String json = new String(Json.bytes(repo.config()), StandardCharsets.UTF_8).replace("\"version\":1",
                "\"version\":2");
        backend.put(ObjectName.CONFIG, repo.key().seal(json.getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(() -> TestRepositories.open(backend))
                .isInstanceOfSatisfying(LifeboatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INTEGRITY);
                    assertThat(e.hint()).isEqualTo("upgrade Lifeboat if the repository was made by a newer one");
                })
                .hasMessageStartingWith("the repository config cannot be read: ")
                .hasMessageContaining("repository format version 2 is not supported (this Lifeboat reads version 1)");
    }

    @Test
    void openOfADamagedConfigFailsWithIntegrity() {
        TestRepositories.init(backend);
        byte[] config = backend.get(ObjectName.CONFIG);
        config[config.length / 2] ^= 1;
        backend.corrupt(ObjectName.CONFIG, config);

        assertFails(() -> TestRepositories.open(backend), ErrorCode.INTEGRITY,
                "config failed authentication (damaged or written with another key)", INTEGRITY_HINT);
    }

    @Test
    void unpackedObjectsAreNamedByTheHashOfTheirStoredBytes() {
        Repository repo = TestRepositories.init(backend);
        byte[] plain = TestBytes.random(1, 500);

        BlobId id = repo.saveUnpacked(ObjectKind.SNAPSHOT, plain);

        byte[] stored = backend.get(new ObjectName(ObjectKind.SNAPSHOT, id.hex()));
        assertThat(Repository.sha256(stored, 0, stored.length)).isEqualTo(id);
        assertThat(repo.loadUnpacked(ObjectKind.SNAPSHOT, id)).isEqualTo(plain);
    }

    @Test
    void loadOfAnAlteredUnpackedObjectFailsWithIntegrity() {
        Repository repo = TestRepositories.init(backend);
        BlobId id = repo.saveUnpacked(ObjectKind.INDEX, TestBytes.random(1, 500));
        ObjectName name = new ObjectName(ObjectKind.INDEX, id.hex());
        byte[] stored = backend.get(name);
        stored[0] ^= 1;
        backend.corrupt(name, stored);

        assertFails(() -> repo.loadUnpacked(ObjectKind.INDEX, id), ErrorCode.INTEGRITY,
                "'index/" + id.hex() + "' does not match its name (content was altered)", INTEGRITY_HINT);
    }

    @Test
    void plaintextPassGivesEveryIndexObjectInOrderThoughItsBuffersAreReused() {
        Repository repo = TestRepositories.init(backend);
        List<BlobId> ids = new ArrayList<>();
        List<IndexFile> files = new ArrayList<>();
        // more objects than are read ahead, of sizes that shrink and grow, so buffers are both reused and grown
        for (int i = 0; i < 11; i++) {
            int blobs = 1 + (i * 37) % 200;
            List<PackEntry> entries = new ArrayList<>();
            for (int b = 0; b < blobs; b++) {
                entries.add(new PackEntry(BlobId.of(TestBytes.random(i * 1000 + b, 32)), BlobType.DATA, false,
                        b * 10, 10, 10));
            }
            IndexFile file = new IndexFile(List.of(), Map.of(BlobId.of(TestBytes.random(i, 32)), entries));
            files.add(file);
            ids.add(repo.saveUnpacked(ObjectKind.INDEX, file.encode()));
        }

        List<IndexFile> seen = new ArrayList<>();
        repo.forEachIndexPlain(ids, (id, plain) -> {
            Map<BlobId, List<PackEntry>> packs = new LinkedHashMap<>();
            List<BlobId> supersedes = plain.scan((pack, entries) -> {
                List<PackEntry> list = new ArrayList<>();
                while (entries.next()) {
                    list.add(entries.entry());
                }
                packs.put(pack, list);
            });
            seen.add(new IndexFile(supersedes, packs));
            return true;
        });

        assertThat(seen).isEqualTo(files);
    }

    @Test
    void plaintextPassOfAnAlteredIndexObjectFailsWithIntegrity() {
        Repository repo = TestRepositories.init(backend);
        BlobId id = repo.saveUnpacked(ObjectKind.INDEX, new IndexFile(List.of(), Map.of()).encode());
        ObjectName name = new ObjectName(ObjectKind.INDEX, id.hex());
        byte[] stored = backend.get(name);
        stored[stored.length - 1] ^= 1;
        backend.corrupt(name, stored);

        assertFails(() -> repo.forEachIndexPlain(List.of(id), (i, plain) -> true), ErrorCode.INTEGRITY,
                "'index/" + id.hex() + "' does not match its name (content was altered)", INTEGRITY_HINT);
    }

    @Test
    void listIdsSkipsObjectsNotNamedByAnId() {
        Repository repo = TestRepositories.init(backend);
        BlobId id = repo.saveUnpacked(ObjectKind.SNAPSHOT, new byte[1]);
        backend.put(new ObjectName(ObjectKind.SNAPSHOT, "README"), new byte[1]);

        assertThat(repo.listIds(ObjectKind.SNAPSHOT)).containsExactly(id);
    }

    @Test
    void savedBlobsAreFoundThroughTheIndexOfAFreshOpen() {
        Repository repo = TestRepositories.init(backend);
        List<byte[]> blobs = List.of(TestBytes.random(1, 1000), new byte[100_000], TestBytes.random(2, 1));
        List<BlobId> ids = new ArrayList<>();
        try (RepoWriter writer = new RepoWriter(repo, 2)) {
            for (byte[] blob : blobs) {
                ids.add(writer.save(BlobType.DATA, blob));
            }
            writer.flush();
        }

        Repository reopened = TestRepositories.open(backend);

        assertThat(reopened.index().size()).isEqualTo(3);
        assertThat(reopened.indexIds()).hasSize(1);
        for (int i = 0; i < blobs.size(); i++) {
            assertThat(reopened.index().contains(ids.get(i))).isTrue();
            assertThat(reopened.loadBlob(ids.get(i))).isEqualTo(blobs.get(i));
        }
    }

    @Test
    void loadOfABlobMissingFromTheIndexFailsWithIntegrity() {
        Repository repo = TestRepositories.init(backend);
        BlobId unknown = TestBytes.id(1);

        assertFails(() -> repo.loadBlob(unknown), ErrorCode.INTEGRITY,
                "blob '" + unknown.shortHex() + "' is not in the index (data is missing)", INTEGRITY_HINT);
    }

    @Test
    void loadOfABlobFromADamagedPackFailsWithIntegrity() {
        Repository repo = TestRepositories.init(backend);
        BlobId id;
        try (RepoWriter writer = new RepoWriter(repo, 1)) {
            id = writer.save(BlobType.DATA, TestBytes.random(1, 1000));
            writer.flush();
        }
        BlobIndex.Location location = repo.index().lookup(id);
        ObjectName pack = new ObjectName(ObjectKind.DATA, location.pack().hex());
        byte[] bytes = backend.get(pack);
        bytes[location.entry().offset() + 20] ^= 1;
        backend.corrupt(pack, bytes);

        assertFails(() -> repo.loadBlob(id), ErrorCode.INTEGRITY, "blob '" + id.shortHex() + "' in pack '"
                + location.pack().shortHex() + "' failed authentication (damaged or written with another key)",
                INTEGRITY_HINT);
    }

    @Test
    void aBlobWhoseContentDoesNotMatchItsIdFailsWithIntegrity() {
        Repository repo = TestRepositories.init(backend);
        byte[] sealed = repo.codec().encode(TestBytes.random(1, 100)).sealed();
        BlobId claimed = TestBytes.id(7);
        BlobId pack = TestBytes.id(8);
        PackEntry entry = new PackEntry(claimed, BlobType.DATA, false, 0, sealed.length, 100);

        assertFails(() -> repo.decodeBlob(pack, entry, sealed, 0), ErrorCode.INTEGRITY,
                "blob '" + claimed.shortHex() + "' in pack '" + pack.shortHex() + "' does not match its id",
                INTEGRITY_HINT);
    }

    private List<ObjectName> keys() {
        List<ObjectName> keys = new ArrayList<>();
        backend.list(ObjectKind.KEY, (ObjectInfo info) -> keys.add(info.name()));
        return keys;
    }
}
