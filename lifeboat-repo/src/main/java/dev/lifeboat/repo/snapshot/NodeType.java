package dev.lifeboat.repo.snapshot;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kind of a tree node. */
public enum NodeType {
    @JsonProperty("file") FILE,
    @JsonProperty("dir") DIR,
    @JsonProperty("symlink") SYMLINK
}
