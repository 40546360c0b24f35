package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.error.LifeboatException;

import java.util.regex.Pattern;

/**
 * Where an S3 repository lives: a bucket and a key prefix, written {@code s3://bucket/prefix}.
 *
 * @param prefix the key prefix without leading or trailing '/', empty for the bucket's root
 */
public record S3Location(String bucket, String prefix) {
    public static final String SCHEME = "s3://";
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern PREFIX = Pattern.compile("[0-9A-Za-z._=+@-]+(/[0-9A-Za-z._=+@-]+)*");

    public S3Location {
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("invalid bucket name '" + bucket + "'");
        }
        if (prefix == null || !prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("invalid key prefix '" + prefix + "'");
        }
    }

    /** Parses {@code s3://bucket} or {@code s3://bucket/prefix}; a trailing '/' is ignored. */
    public static S3Location parse(String location) {
        if (location == null || !location.startsWith(SCHEME)) {
            throw malformed(location, "it must start with s3://");
        }
        String rest = location.substring(SCHEME.length());
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (bucket.isEmpty()) {
            throw malformed(location, "the bucket name is missing");
        }
        try {
            return new S3Location(bucket, prefix);
        } catch (IllegalArgumentException e) {
            throw malformed(location, e.getMessage());
        }
    }

    private static LifeboatException malformed(String location, String reason) {
        return LifeboatException.usage("invalid S3 repository location '" + location + "': " + reason,
                "write it as s3://BUCKET/PREFIX, with a bucket name of 3 to 63 lowercase letters, digits, '.' "
                        + "and '-', and a prefix of letters, digits and '._=+@-' separated by '/'");
    }

    /** The key of a repository path (relative, '/'-separated) under this location. */
    public String key(String path) {
        return prefix.isEmpty() ? path : prefix + "/" + path;
    }

    /** The key prefix under which every object of the repository lies ("" or "prefix/"). */
    public String root() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    @Override
    public String toString() {
        return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
