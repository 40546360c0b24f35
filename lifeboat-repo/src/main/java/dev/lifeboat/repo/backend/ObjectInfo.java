package dev.lifeboat.repo.backend;

/** An object found by listing: its name and its stored size in bytes. */
public record ObjectInfo(ObjectName name, long size) {
}
