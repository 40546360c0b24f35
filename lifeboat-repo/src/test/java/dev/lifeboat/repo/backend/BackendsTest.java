package dev.lifeboat.repo.backend;

import dev.lifeboat.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

class BackendsTest {
    @TempDir
    Path dir;

    @Test
    void aPathOpensALocalBackend() {
        try (Backend b = Backends.open(dir.resolve("repo").toString(), Map.of())) {
            assertThat(b).isInstanceOf(LocalBackend.class);
            assertThat(b.location()).isEqualTo(dir.resolve("repo").toString());
        }
    }

    @Test
    void anS3LocationOpensARetryingS3Backend() {
        try (Backend b = Backends.open("s3://my-bucket/prod/app/", Map.of("AWS_ACCESS_KEY_ID", "a",
                "AWS_SECRET_ACCESS_KEY", "b"))) {
            assertThat(b).isInstanceOf(RetryingBackend.class);
            assertThat(b.location()).isEqualTo("s3://my-bucket/prod/app");
        }
    }

    @Test
    void withoutALocationTheSeedsBucketVariableNamesTheRepository() {
        try (Backend b = Backends.open(null, Map.of("BACKUP_S3_BUCKET", "liquor-pos-backups",
                "AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "b"))) {
            assertThat(b.location()).isEqualTo("s3://liquor-pos-backups/lifeboat");
        }
    }

    @Test
    void withoutALocationOrBucketNothingIsOpened() {
        assertFails(() -> Backends.open(" ", Map.of()), ErrorCode.USAGE, "no repository given",
                "pass --repo PATH, set LIFEBOAT_REPO, or set 'repository' in lifeboat.yml");
    }

    @Test
    void otherStorageSchemesAreRefused() {
        assertFails(() -> Backends.open("gs://bucket/x", Map.of()), ErrorCode.USAGE,
                "repository 'gs://bucket/x' uses the storage scheme 'gs', which Lifeboat does not support",
                "use a local path or s3://BUCKET/PREFIX (S3-compatible stores too, with s3.endpoint)");
    }

    @Test
    void aMalformedS3LocationIsRefusedWithTheRule() {
        assertFails(() -> Backends.open("s3:bucket", Map.of()), ErrorCode.USAGE)
                .hasMessage("invalid S3 repository location 's3:bucket': it must start with s3://");
    }
}
