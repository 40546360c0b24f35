package dev.lifeboat.repo.prune;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.BlobId;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.index.IndexRewrite;
import dev.lifeboat.repo.pack.BlobCodec;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.pack.PackWriter;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * Copies blobs of packs being repacked, as sealed, into new packs; each new pack goes into the index rewrite
 * once it is stored. Unlike a backup's writer it keeps no index of its own: prune has already chosen exactly
 * one copy of each blob. Memory: one pack read and one being filled.
 */
final class PackCopier {
    private final Repository repo;
    private final IndexRewrite index;
    private ByteArrayOutputStream bytes;
    private PackWriter packer;
    private int packs;

    PackCopier(Repository repo, IndexRewrite index) {
        this.repo = repo;
        this.index = index;
        startPack();
    }

    private void startPack() {
        bytes = new ByteArrayOutputStream(repo.config().packSize() + repo.config().packSize() / 8);
        packer = new PackWriter(bytes);
    }

    /** Reads a pack and copies the given entries of it, each authenticated and checked against its id first. */
    void copy(BlobId packId, List<PackEntry> entries) {
        byte[] pack = repo.backend().get(new ObjectName(ObjectKind.DATA, packId.hex()));
        for (PackEntry entry : entries) {
            if ((long) entry.offset() + entry.length() > pack.length) {
                throw LifeboatException.integrity("pack '" + packId.shortHex() + "' is truncated: blob '"
                        + entry.id().shortHex() + "' lies beyond its end");
            }
            repo.decodeBlob(packId, entry, pack, entry.offset());
            byte[] sealed = Arrays.copyOfRange(pack, entry.offset(), entry.offset() + entry.length());
            packer.add(entry.id(), entry.type(), new BlobCodec.Encoded(sealed, entry.compressed(), entry.rawLength()));
            if (packer.size() >= repo.config().packSize()) {
                store();
            }
        }
    }

    /** Stores the partly filled pack; returns the number of packs written. */
    int finish() {
        if (packer.count() > 0) {
            store();
        }
        return packs;
    }

    private void store() {
        BlobId id = packer.finish(repo.key());
        repo.backend().put(new ObjectName(ObjectKind.DATA, id.hex()), bytes.toByteArray());
        index.add(id, packer.entries());
        startPack();
        packs++;
    }
}
