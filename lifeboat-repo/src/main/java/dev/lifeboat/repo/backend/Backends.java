package dev.lifeboat.repo.backend;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.s3.S3Backend;
import dev.lifeboat.repo.backend.s3.S3Location;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Opens the backend a repository location names: a local path, or {@code s3://bucket/prefix}. */
public final class Backends {
    /** Variables naming a bucket whose {@value #DEFAULT_PREFIX} prefix is the repository when no location is given. */
    public static final List<String> BUCKET = List.of("LIFEBOAT_S3_BUCKET", "BACKUP_S3_BUCKET");
    public static final String DEFAULT_PREFIX = "lifeboat";

    private Backends() {
    }

    /**
     * The backend for the location; S3 backends are wrapped in a {@link RetryingBackend} (local disks fail
     * for reasons a retry does not fix).
     *
     * @param location a local path or {@code s3://bucket/prefix}; null or blank to use the bucket of
     *                 LIFEBOAT_S3_BUCKET or BACKUP_S3_BUCKET
     * @param env      environment variables: S3 endpoint, region, credentials and options
     */
    public static Backend open(String location, Map<String, String> env) {
        String where = location == null || location.isBlank() ? defaultLocation(env) : location.trim();
        if (where.regionMatches(true, 0, "s3:", 0, 3)) {
            return new RetryingBackend(S3Backend.open(S3Location.parse(where), env));
        }
        int scheme = where.indexOf("://");
        if (scheme > 0 && where.substring(0, scheme).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            throw LifeboatException.usage("repository '" + where + "' uses the storage scheme '"
                    + where.substring(0, scheme) + "', which Lifeboat does not support",
                    "use a local path or s3://BUCKET/PREFIX (S3-compatible stores too, with s3.endpoint)");
        }
        try {
            return new LocalBackend(Path.of(where));
        } catch (InvalidPathException e) {
            throw LifeboatException.usage("repository '" + where + "' is not a valid path: " + e.getReason(),
                    "give a local path or s3://BUCKET/PREFIX");
        }
    }

    private static String defaultLocation(Map<String, String> env) {
        for (String var : BUCKET) {
            String bucket = env.get(var);
            if (bucket != null && !bucket.isBlank()) {
                return S3Location.SCHEME + bucket.trim() + "/" + DEFAULT_PREFIX;
            }
        }
        throw LifeboatException.usage("no repository given",
                "pass --repo PATH, set LIFEBOAT_REPO, or set 'repository' in lifeboat.yml");
    }
}
