package dev.lifeboat.repo.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lifeboat.repo.BlobId;

import java.util.List;

/**
 * One entry of a snapshot's tree: a file (with its content blob ids), a directory or a symlink, with
 * the metadata restore puts back. {@code mtime} and {@code ctime} are nanoseconds since the epoch;
 * {@code inode}, {@code device} and {@code ctime} only let the next backup skip unchanged files.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Node(
        @JsonProperty("path") String path,
        @JsonProperty("type") NodeType type,
        @JsonProperty("mode") int mode,
        @JsonProperty("uid") Integer uid,
        @JsonProperty("gid") Integer gid,
        @JsonProperty("user") String user,
        @JsonProperty("group") String group,
        @JsonProperty("mtime") long mtime,
        @JsonProperty("size") long size,
        @JsonProperty("target") String target,
        @JsonProperty("content") List<BlobId> content,
        @JsonProperty("sha256") String sha256,
        @JsonProperty("inode") Long inode,
        @JsonProperty("device") Long device,
        @JsonProperty("ctime") Long ctime) {

    public Node {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/")
                || path.contains("//") || ("/" + path + "/").contains("/../") || ("/" + path + "/").contains("/./")) {
            throw new IllegalArgumentException("invalid node path '" + path + "'");
        }
        if (type == null) {
            throw new IllegalArgumentException("node '" + path + "' has no type");
        }
        if (type == NodeType.FILE && content == null) {
            throw new IllegalArgumentException("file node '" + path + "' has no content list");
        }
        if (type == NodeType.SYMLINK && target == null) {
            throw new IllegalArgumentException("symlink node '" + path + "' has no target");
        }
        content = content == null ? null : List.copyOf(content);
    }

    /** The last path component. */
    public String name() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    public Node withContent(List<BlobId> newContent) {
        return new Node(path, type, mode, uid, gid, user, group, mtime, size, target, newContent, sha256, inode,
                device, ctime);
    }
}
