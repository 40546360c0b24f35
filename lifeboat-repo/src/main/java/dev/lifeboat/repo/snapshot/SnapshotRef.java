package dev.lifeboat.repo.snapshot;

import dev.lifeboat.repo.BlobId;

/** A stored snapshot with its id (the SHA-256 of its stored object). */
public record SnapshotRef(BlobId id, Snapshot snapshot) {
}
