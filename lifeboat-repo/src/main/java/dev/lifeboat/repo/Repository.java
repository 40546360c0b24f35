package dev.lifeboat.repo;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.ObjectInfo;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.ObjectNotFoundException;
import dev.lifeboat.repo.crypto.KeyFile;
import dev.lifeboat.repo.crypto.MasterKey;
import dev.lifeboat.repo.index.BlobIndex;
import dev.lifeboat.repo.index.IndexFile;
import dev.lifeboat.repo.pack.BlobCodec;
import dev.lifeboat.repo.pack.PackEntry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * An open repository: backend, master key, config and (loaded on demand) the blob index.
 * Everything above this class reads and writes the repository through it.
 */
public final class Repository implements AutoCloseable {
    private final Backend backend;
    private final MasterKey key;
    private final BlobId keyId;
    private final RepoConfig config;
    private final BlobCodec codec;
    /** Index objects read in parallel ahead of the one being visited, when decoded and as plaintext. */
    private static final int INDEX_WINDOW = 8;
    private static final int PLAIN_WINDOW = 4;
    private volatile BlobIndex index;
    private volatile List<BlobId> indexIds = List.of();
    /** Sizes of index objects seen in listings: named by their content, an object's size never changes. */
    private final Map<BlobId, Long> indexSizes = new ConcurrentHashMap<>();

    private Repository(Backend backend, MasterKey key, BlobId keyId, RepoConfig config) {
        this.backend = backend;
        this.key = key;
        this.keyId = keyId;
        this.config = config;
        this.codec = new BlobCodec(key, config.compressionLevel());
    }

    /**
     * Creates a repository: a new master key wrapped under the password, then the config object, which
     * is written last and only if absent, so that two concurrent inits cannot both succeed.
     */
    public static Repository init(Backend backend, char[] password, RepoConfig config, int kdfMemoryKiB,
                                  String host, String username) {
        if (backend.isInitialized()) {
            throw new LifeboatException(ErrorCode.ALREADY_EXISTS, "a repository already exists at '"
                    + backend.location() + "'", "use it as it is, or choose another location");
        }
        MasterKey key = MasterKey.random();
        KeyFile keyFile = KeyFile.create(key, password, kdfMemoryKiB, host, username);
        BlobId keyId = saveKey(backend, keyFile);
        byte[] sealed = key.seal(Json.bytes(config));
        if (!backend.create(ObjectName.CONFIG, sealed)) {
            backend.delete(new ObjectName(ObjectKind.KEY, keyId.hex()));
            throw new LifeboatException(ErrorCode.ALREADY_EXISTS, "a repository already exists at '"
                    + backend.location() + "'", "another process initialized it at the same moment");
        }
        return new Repository(backend, key, keyId, config);
    }

    /** Opens the repository with the first key file the password unlocks. */
    public static Repository open(Backend backend, char[] password) {
        if (!backend.isInitialized()) {
            throw new LifeboatException(ErrorCode.NO_REPOSITORY, "there is no repository at '"
                    + backend.location() + "'", "run 'lifeboat init' to create one, or check --repo / LIFEBOAT_REPO");
        }
        List<ObjectInfo> keys = new ArrayList<>();
        backend.list(ObjectKind.KEY, keys::add);
        if (keys.isEmpty()) {
            throw new LifeboatException(ErrorCode.INTEGRITY, "repository '" + backend.location() + "' has no keys",
                    "the keys/ folder was deleted; restore it from a copy of the repository");
        }
        for (ObjectInfo info : keys) {
            KeyFile file;
            try {
                file = KeyFile.parse(backend.get(info.name()));
            } catch (LifeboatException e) {
                if (e.code() == ErrorCode.INTEGRITY) {
                    continue;
                }
                throw e;
            }
            MasterKey key = file.open(password);
            if (key != null) {
                byte[] plain = key.open(backend.get(ObjectName.CONFIG), "config");
                RepoConfig config;
                try {
                    config = Json.MAPPER.readValue(plain, RepoConfig.class);
                } catch (java.io.IOException | IllegalArgumentException e) {
                    throw new LifeboatException(ErrorCode.INTEGRITY, "the repository config cannot be read: "
                            + firstLine(e.getMessage()), "upgrade Lifeboat if the repository was made by a newer one");
                }
                return new Repository(backend, key, BlobId.parse(info.name().name()), config);
            }
        }
        throw new LifeboatException(ErrorCode.WRONG_PASSWORD, "wrong password: no key of repository '"
                + backend.location() + "' opens with it",
                "check LIFEBOAT_PASSWORD, BACKUP_ENCRYPTION_KEY or --password-file");
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** Stores a key file under the SHA-256 of its bytes. */
    public static BlobId saveKey(Backend backend, KeyFile keyFile) {
        byte[] bytes = keyFile.toBytes();
        BlobId id = sha256(bytes, 0, bytes.length);
        backend.create(new ObjectName(ObjectKind.KEY, id.hex()), bytes);
        return id;
    }

    public Backend backend() {
        return backend;
    }

    public MasterKey key() {
        return key;
    }

    /** The id of the key file this repository was opened with. */
    public BlobId keyId() {
        return keyId;
    }

    public RepoConfig config() {
        return config;
    }

    public BlobCodec codec() {
        return codec;
    }

    /** Seals and stores a whole object under the SHA-256 of its stored bytes; returns that id. */
    public BlobId saveUnpacked(ObjectKind kind, byte[] plain) {
        byte[] sealed = key.seal(plain);
        BlobId id = sha256(sealed, 0, sealed.length);
        backend.put(new ObjectName(kind, id.hex()), sealed);
        return id;
    }

    /** Loads an object stored by {@link #saveUnpacked}, checking its name matches its content. */
    public byte[] loadUnpacked(ObjectKind kind, BlobId id) {
        ObjectName name = new ObjectName(kind, id.hex());
        byte[] sealed = backend.get(name);
        checkName(name, sealed, sealed.length, id);
        return key.open(sealed, "'" + name.path() + "'");
    }

    /** An object stored by {@link #saveUnpacked} is named by the SHA-256 of its stored bytes. */
    private static void checkName(ObjectName name, byte[] sealed, int length, BlobId id) {
        if (!sha256(sealed, 0, length).equals(id)) {
            throw LifeboatException.integrity("'" + name.path() + "' does not match its name (content was altered)");
        }
    }

    /**
     * The ids of every object of a kind whose name is an id. The sizes of index objects are kept, so that
     * {@link #forEachIndexPlain} need not list them again.
     */
    public List<BlobId> listIds(ObjectKind kind) {
        List<BlobId> ids = new ArrayList<>();
        backend.list(kind, info -> {
            try {
                BlobId id = BlobId.parse(info.name().name());
                ids.add(id);
                if (kind == ObjectKind.INDEX) {
                    indexSizes.put(id, info.size());
                }
            } catch (IllegalArgumentException ignored) {
                // not an object Lifeboat names by id; check reports it
            }
        });
        return ids;
    }

    /** The blob index, loading all index objects on first use (in parallel). */
    public BlobIndex index() {
        BlobIndex current = index;
        if (current == null) {
            synchronized (this) {
                if (index == null) {
                    index = loadIndex();
                }
                current = index;
            }
        }
        return current;
    }

    /** The ids of the index objects loaded into {@link #index()} (superseded ones left out). */
    public List<BlobId> indexIds() {
        index();
        return indexIds;
    }

    /** Forgets the loaded index, so the next use reads the index objects again (after prune or repair). */
    public synchronized void reloadIndex() {
        index = null;
    }

    /**
     * Loads every index object not superseded by another one. Index objects are decoded a few at a time
     * and merged at once, so memory holds the compact index plus a window of decoded objects. Superseded
     * objects exist only while a prune or repair is deleting them; when one turns up after its packs were
     * merged, the index is read again without it.
     */
    private BlobIndex loadIndex() {
        List<BlobId> ids = listIds(ObjectKind.INDEX);
        Set<BlobId> skip = Set.of();
        while (true) {
            BlobIndex loaded = new BlobIndex();
            Set<BlobId> superseded = new HashSet<>();
            forEachIndexFile(ids, (id, file) -> {
                superseded.addAll(file.supersedes());
                return true;
            }, skip, loaded);
            superseded.retainAll(ids);
            if (skip.containsAll(superseded)) {
                List<BlobId> live = new ArrayList<>(ids);
                live.removeAll(skip);
                indexIds = List.copyOf(live);
                return loaded;
            }
            skip = superseded;
        }
    }

    /** Receives a decoded index object; returns whether to go on. */
    public interface IndexVisitor {
        boolean visit(BlobId id, IndexFile file);
    }

    /**
     * Decodes the index objects (eight in flight, in order) and gives each to the visitor; when {@code into}
     * is not null the packs of every object not in {@code skip} are added to it.
     */
    public void forEachIndexFile(List<BlobId> ids, IndexVisitor visitor, Set<BlobId> skip, BlobIndex into) {
        inIndexWindow(ids, INDEX_WINDOW, id -> IndexFile.decode(loadUnpacked(ObjectKind.INDEX, id), indexName(id)),
                (id, file) -> {
                    if (into != null && !skip.contains(id)) {
                        for (var pack : file.packs().entrySet()) {
                            into.addPack(pack.getKey(), pack.getValue());
                        }
                    }
                    return visitor.visit(id, file);
                });
    }

    /**
     * Gives the plaintext of each index object to {@code visitor} as {@link #forEachIndexFile} gives decoded
     * ones, without an object per entry: for passes over the whole index that keep little of it (prune). Each
     * object is read, opened and decompressed into buffers reused from one object to the next, one set per
     * object in flight (four), so the plaintext is valid during the visitor's call only. Fresh arrays of a few MiB
     * per object lived across young collections and were promoted: prune of 10 million blobs grew its heap to
     * the 256 MiB limit with 63 MiB live.
     */
    public void forEachIndexPlain(List<BlobId> ids, BiPredicate<BlobId, IndexFile.Plain> visitor) {
        if (!indexSizes.keySet().containsAll(ids)) {
            backend.list(ObjectKind.INDEX, info -> {
                try {
                    indexSizes.put(BlobId.parse(info.name().name()), info.size());
                } catch (IllegalArgumentException ignored) {
                    // not an object Lifeboat names by id
                }
            });
        }
        Queue<IndexBuffers> free = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < PLAIN_WINDOW; i++) {
            free.add(new IndexBuffers());
        }
        // at most PLAIN_WINDOW objects are loaded and not yet visited, and each gives its buffers back once
        // visited, so a loading task always finds a free set
        this.<LoadedPlain>inIndexWindow(ids, PLAIN_WINDOW, id -> free.remove().load(id, indexSizes.get(id)), (id, loaded) -> {
            try {
                return visitor.test(id, loaded.plain());
            } finally {
                free.add(loaded.buffers());
            }
        });
    }

    private static String indexName(BlobId id) {
        return "index '" + id.shortHex() + "'";
    }

    private record LoadedPlain(IndexFile.Plain plain, IndexBuffers buffers) {
    }

    /** The stored, opened and decompressed bytes of one index object at a time. */
    private final class IndexBuffers {
        private byte[] sealed = new byte[0];
        private byte[] opened = new byte[0];
        private byte[] plain = new byte[0];

        LoadedPlain load(BlobId id, Long listedSize) {
            ObjectName name = new ObjectName(ObjectKind.INDEX, id.hex());
            long size = listedSize != null ? listedSize : backend.size(name);
            if (size < MasterKey.OVERHEAD || size > Integer.MAX_VALUE - 16) {
                throw LifeboatException.integrity("'" + name.path() + "' has an invalid size (" + size + " bytes)");
            }
            sealed = atLeast(sealed, (int) size);
            backend.readRange(name, 0, (int) size, sealed);
            checkName(name, sealed, (int) size, id);
            opened = atLeast(opened, (int) size);
            int length = key.open(sealed, 0, (int) size, opened, "'" + name.path() + "'");
            IndexFile.Plain decompressed = IndexFile.Plain.of(opened, length, indexName(id), n -> {
                plain = atLeast(plain, n);
                return plain;
            });
            return new LoadedPlain(decompressed, this);
        }

        private static byte[] atLeast(byte[] buffer, int length) {
            return buffer.length >= length ? buffer : new byte[Math.max(length, buffer.length + buffer.length / 2)];
        }
    }

    /**
     * Loads the index objects {@code window} at a time in parallel with {@code load} and gives each to
     * {@code visitor} in the order of {@code ids}, on the calling thread, until it returns false.
     */
    private <T> void inIndexWindow(List<BlobId> ids, int window, Function<BlobId, T> load,
                                   BiPredicate<BlobId, T> visitor) {
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(window, Math.max(1, ids.size())))) {
            List<Future<T>> files = new ArrayList<>(ids.size());
            for (int i = 0; i < ids.size(); i++) {
                while (files.size() < ids.size() && files.size() < i + window) {
                    BlobId id = ids.get(files.size());
                    files.add(pool.submit(() -> load.apply(id)));
                }
                T file = Futures.get(files.get(i));
                files.set(i, null);
                if (!visitor.test(ids.get(i), file)) {
                    for (Future<T> f : files) {
                        if (f != null) {
                            f.cancel(true);
                        }
                    }
                    return;
                }
            }
        }
    }

    /** Reads, authenticates and decompresses one blob; its HMAC must equal its id. */
    public byte[] loadBlob(BlobId id) {
        BlobIndex.Location loc = index().lookup(id);
        if (loc == null) {
            throw LifeboatException.integrity("blob '" + id.shortHex() + "' is not in the index (data is missing)");
        }
        return loadBlob(loc.pack(), loc.entry());
    }

    public byte[] loadBlob(BlobId pack, PackEntry e) {
        byte[] sealed;
        try {
            sealed = backend.getRange(new ObjectName(ObjectKind.DATA, pack.hex()), e.offset(), e.length());
        } catch (ObjectNotFoundException missing) {
            throw missingPack(pack, e.id());
        }
        return decodeBlob(pack, e, sealed, 0);
    }

    /** The error of reading a blob from a pack that does not exist. */
    static LifeboatException missingPack(BlobId pack, BlobId blob) {
        return LifeboatException.integrity("pack '" + pack.shortHex() + "' holding blob '" + blob.shortHex()
                + "' is missing");
    }

    /** Decodes a blob from bytes already read and verifies its id. */
    public byte[] decodeBlob(BlobId pack, PackEntry e, byte[] buf, int offset) {
        return decodeBlob(pack, e, buf, offset, BlobCodec.Scratch.once());
    }

    /**
     * Decodes a blob into the scratch's buffers and verifies its id; the plaintext is the first
     * {@code e.rawLength()} bytes of the array returned, valid until the scratch is used again.
     */
    public byte[] decodeBlob(BlobId pack, PackEntry e, byte[] buf, int offset, BlobCodec.Scratch scratch) {
        String what = "blob '" + e.id().shortHex() + "' in pack '" + pack.shortHex() + "'";
        byte[] plain = codec.decode(buf, offset, e.length(), e.compressed(), e.rawLength(), what, scratch);
        if (!key.blobId(plain, 0, e.rawLength()).equals(e.id())) {
            throw LifeboatException.integrity(what + " does not match its id");
        }
        return plain;
    }

    public static BlobId sha256(byte[] data, int offset, int length) {
        MessageDigest md = sha256();
        md.update(data, offset, length);
        return BlobId.of(md.digest());
    }

    /** A new SHA-256 digest, the hash that names packs, index files and snapshots. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        backend.close();
    }
}
