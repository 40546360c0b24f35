package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.RetryingBackend;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * An endpoint whose host name does not exist (".invalid" never resolves, RFC 6761) is a configuration
 * mistake: it fails at once with a message that names the host and the settings, instead of being retried
 * for two minutes as a network failure.
 */
class S3UnknownHostTest {
    @Test
    void anEndpointThatDoesNotExistFailsAtOnceAndSaysWhatToCheck() {
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://no-such-minio.invalid:9000",
                "AWS_ACCESS_KEY_ID", "key", "AWS_SECRET_ACCESS_KEY", "secret", "AWS_REGION", "us-east-1");
        AtomicInteger retries = new AtomicInteger();
        try (S3Backend s3 = S3Backend.open(S3Location.parse("s3://backups/repo"), env)) {
            RetryingBackend retrying = new RetryingBackend(s3,
                    new RetryingBackend.Policy(10, Duration.ofMillis(250), Duration.ofSeconds(30)),
                    d -> retries.incrementAndGet());

            LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> retrying.get(ObjectName.CONFIG));

            assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_PERMANENT);
            assertThat(e.getMessage()).as("virtual-hosted style: the bucket is part of the host name").startsWith(
                    "cannot read 'config' in repository 's3://backups/repo': the storage host does not exist "
                            + "(backups.no-such-minio.invalid: ");
            assertThat(e.hint()).contains("s3.endpoint").contains("AWS_ENDPOINT_URL").contains("s3.path-style");
            assertThat(retries).hasValue(0);
        }
    }
}
