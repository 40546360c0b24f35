package dev.lifeboat.repo.copy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Json;
import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.snapshot.Node;
import dev.lifeboat.repo.snapshot.Snapshot;
import dev.lifeboat.repo.snapshot.SnapshotRef;
import dev.lifeboat.repo.snapshot.SnapshotStore;
import dev.lifeboat.repo.snapshot.TreeReader;
import dev.lifeboat.repo.snapshot.TreeWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Copies snapshots from one repository to another without re-chunking: every data blob keeps the
 * source's chunk boundaries (so later backups into the destination, cut by the destination's own
 * chunker, deduplicate against copies only where boundaries happen to agree). A blob the destination
 * already holds is not stored again.
 *
 * <p>Blob ids are keyed hashes, so when the two repositories have different master keys (the usual case)
 * each blob is decrypted and its id recomputed with the destination's key, and the tree stream is
 * rewritten with the new ids. Each copy records its origin in {@code details.copiedFrom}
 * ({@code repository}: the source's config id, {@code snapshot}: the source snapshot id), which is how a
 * snapshot already copied is recognised and skipped. Write order is that of a backup: packs, index, and
 * the snapshot last.
 */
public final class SnapshotCopier {
    static final String COPIED_FROM = "copiedFrom";
    private static final byte[] PROBE = "lifeboat id key probe".getBytes(StandardCharsets.US_ASCII);
    private final Repository from;
    private final Repository to;
    private final Progress progress;
    private final boolean sameIds;

    public SnapshotCopier(Repository from, Repository to, Progress progress) {
        this.from = from;
        this.to = to;
        this.progress = progress;
        this.sameIds = from.key().blobId(PROBE, 0, PROBE.length).equals(to.key().blobId(PROBE, 0, PROBE.length));
    }

    /** What happened to one source snapshot: copied as {@code copy}, or skipped because {@code copy} exists. */
    public record Outcome(BlobId source, BlobId copy, boolean skipped, long newBlobs, long storedBytes) {
    }

    /** Copies the snapshots in order, skipping those the destination already holds a copy of. */
    public List<Outcome> copy(List<SnapshotRef> snapshots) {
        Map<BlobId, BlobId> copies = existingCopies();
        Map<BlobId, BlobId> translated = new HashMap<>();
        List<Outcome> out = new ArrayList<>();
        for (SnapshotRef s : snapshots) {
            BlobId existing = copies.get(s.id());
            if (existing != null) {
                out.add(new Outcome(s.id(), existing, true, 0, 0));
                continue;
            }
            out.add(copyOne(s, translated));
        }
        return out;
    }

    /** Source snapshot id to destination snapshot id, for copies from this source already in the destination. */
    private Map<BlobId, BlobId> existingCopies() {
        Map<BlobId, BlobId> copies = new HashMap<>();
        for (SnapshotRef r : new SnapshotStore(to).list()) {
            origin(r.snapshot()).filter(o -> o.path("repository").asText().equals(from.config().id()))
                    .ifPresent(o -> copies.put(BlobId.parse(o.path("snapshot").asText()), r.id()));
        }
        return copies;
    }

    /** The {@code copiedFrom} record of a snapshot that is a copy. */
    static Optional<JsonNode> origin(Snapshot s) {
        JsonNode o = s.details() == null ? null : s.details().get(COPIED_FROM);
        return o == null || !o.isObject() ? Optional.empty() : Optional.of(o);
    }

    private Outcome copyOne(SnapshotRef source, Map<BlobId, BlobId> translated) {
        Snapshot s = source.snapshot();
        progress.start("copy " + source.id().shortHex(), s.summary() == null ? 0 : s.summary().bytes(),
                Progress.Unit.BYTES);
        try (RepoWriter writer = new RepoWriter(to, 2)) {
            TreeWriter tree = new TreeWriter(writer, to.config().chunker().forTrees());
            for (Node n : TreeReader.nodes(from, s)) {
                if (n.content() == null) {
                    tree.add(n);
                    continue;
                }
                List<BlobId> content = new ArrayList<>(n.content().size());
                for (BlobId id : n.content()) {
                    content.add(translate(id, writer, translated));
                }
                tree.add(n.withContent(content));
                progress.advance(n.size());
            }
            List<BlobId> treeBlobs = tree.finish();
            writer.flush();
            ObjectNode details = s.details() != null && s.details().isObject()
                    ? ((ObjectNode) s.details()).deepCopy() : Json.MAPPER.createObjectNode();
            details.putObject(COPIED_FROM).put("repository", from.config().id()).put("snapshot", source.id().hex());
            Snapshot copy = new Snapshot(s.version(), s.time(), s.type(), s.source(), s.hostname(), s.username(),
                    s.paths(), s.tags(), s.excludes(), null, treeBlobs, s.summary(), details, s.appVersion());
            SnapshotRef saved = new SnapshotStore(to).save(copy);
            RepoWriter.Stats stats = writer.stats();
            return new Outcome(source.id(), saved.id(), false, stats.newBlobs(), stats.storedBytes());
        } finally {
            progress.finish();
        }
    }

    /**
     * The destination id of a source data blob, storing the blob unless the destination holds it. With the
     * same id key the ids agree and a blob the destination has is not even read.
     */
    private BlobId translate(BlobId id, RepoWriter writer, Map<BlobId, BlobId> translated) {
        if (sameIds && to.index().contains(id)) {
            return id;
        }
        BlobId known = translated.get(id);
        if (known != null) {
            return known;
        }
        BlobId copy = writer.save(BlobType.DATA, from.loadBlob(id));
        translated.put(id, copy);
        return copy;
    }
}
