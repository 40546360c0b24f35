package dev.lifeboat.repo.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Storage for repository objects: the whole contract every backend (local directory, S3, memory) keeps.
 *
 * <ul>
 *   <li>Writes are atomic: a reader sees the whole object or none of it, also after a crash.</li>
 *   <li>Objects are immutable: {@link #put} of an existing name is only used with identical content
 *       (content-addressed names) and {@link #create} never replaces an object.</li>
 *   <li>A missing object raises {@link ObjectNotFoundException}; other failures raise a
 *       {@link dev.lifeboat.error.LifeboatException} with code STORAGE_TRANSIENT or STORAGE_PERMANENT.</li>
 *   <li>Nothing above this interface may depend on listing for correctness, nor rename objects.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    /** Where the repository lives, as the user would name it. */
    String location();

    /** Whether the repository location holds a config object. */
    default boolean isInitialized() {
        return exists(ObjectName.CONFIG);
    }

    /** Stores the object atomically; durable when this returns. */
    void put(ObjectName name, byte[] data);

    /**
     * Stores the object from a local file (a finished pack waiting in its spool file), atomically; durable
     * when this returns. The backend may move the file away instead of copying it (the local backend does
     * when the file lies in its {@link #spoolDirectory()}); the caller deletes it if it is still there.
     * This default reads the file and calls {@link #put(ObjectName, byte[])}.
     */
    default void putFile(ObjectName name, Path file) {
        put(name, readSpool(file));
    }

    /**
     * Where writers should keep objects that wait to be stored (packs being filled), or null for the
     * system's temporary folder. The local backend names a folder on its own file system, so that
     * {@link #putFile} is a rename.
     */
    default Path spoolDirectory() {
        return null;
    }

    /**
     * How many bytes a bulk reader should fetch at once (it reads neighbouring blobs of a pack together, up
     * to this). Each request to an object store costs the client and the server milliseconds of CPU, so the
     * default is large: 8 MiB made 66 requests for a 300 MiB restore where 2 MiB made 178, for 2 s less CPU.
     */
    default int preferredReadSize() {
        return 8 << 20;
    }

    /** Reads a spool file whole, for backends (and wrappers) that store byte arrays. */
    static byte[] readSpool(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool file '" + file + "': " + e.getMessage(), e);
        }
    }

    /**
     * Stores the object only if no object of that name exists, atomically with respect to other writers.
     *
     * @return true when this call created the object, false when it already existed
     */
    boolean create(ObjectName name, byte[] data);

    /** Reads the whole object. */
    byte[] get(ObjectName name);

    /** Reads {@code length} bytes starting at {@code offset}. */
    byte[] getRange(ObjectName name, long offset, int length);

    /**
     * Reads {@code length} bytes starting at {@code offset} into {@code into} from index 0, with the
     * errors of {@link #getRange}: for bulk readers that reuse one buffer instead of leaving a large array
     * behind per read. The default copies what {@link #getRange} returns, so wrappers keep their behaviour.
     */
    default void readRange(ObjectName name, long offset, int length, byte[] into) {
        readRange(name, offset, length, into, 0);
    }

    /** Like {@link #readRange(ObjectName, long, int, byte[])}, into {@code into} from index {@code at}. */
    default void readRange(ObjectName name, long offset, int length, byte[] into, int at) {
        System.arraycopy(getRange(name, offset, length), 0, into, at, length);
    }

    /** Whether the object exists. */
    boolean exists(ObjectName name);

    /** The object's size in bytes. */
    long size(ObjectName name);

    /** Deletes the object; deleting a missing object is not an error. */
    void delete(ObjectName name);

    /** Calls {@code each} for every object of the kind, in no particular order. */
    void list(ObjectKind kind, Consumer<ObjectInfo> each);

    /**
     * The object's object lock retention ({@link Retention#NONE} when it has none), or null when this
     * backend has no object lock at all (local directories, memory).
     */
    default Retention retention(ObjectName name) {
        return null;
    }

    @Override
    default void close() {
    }
}
