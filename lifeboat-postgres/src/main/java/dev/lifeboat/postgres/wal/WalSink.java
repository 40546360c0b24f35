package dev.lifeboat.postgres.wal;

import java.util.List;

/**
 * Durable storage for the WAL a {@link WalStreamer} receives (the repository, in Lifeboat). Every method that
 * stores returns only once the data would survive a crash of this host: the streamer confirms a flush position
 * to the server, which may then recycle that WAL, right after such a call returns.
 */
public interface WalSink {

    /**
     * Called when the streamer first learns the server's identity, before anything is stored. Refuses (throws)
     * a cluster whose WAL does not belong here, and returns the names of the WAL files already stored for it
     * (segments, {@code .partial} segments and history files), from which streaming resumes.
     */
    List<String> open(String systemId);

    /**
     * Stores a complete segment; durable when this returns. Storing the same content again succeeds; different
     * content under the same name is refused. The segment's partial, if one was stored, is no longer needed.
     */
    void segment(String systemId, WalSegmentName name, byte[] content);

    /**
     * Stores the beginning of a segment that is not complete yet ({@code content} is its first bytes), replacing
     * the partial stored before for the same segment; durable when this returns.
     */
    void partial(String systemId, WalSegmentName name, byte[] content);

    /** Stores a timeline's history file; durable when this returns; the same content twice is not an error. */
    void history(String systemId, int timeline, byte[] content);
}
