package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.repo.FaultToleranceTest;
import dev.lifeboat.repo.backend.Backend;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fault-tolerance test on the S3 backend against a real S3 protocol server. */
class S3FaultToleranceIT extends FaultToleranceTest {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension();

    @Override
    protected Backend storage() {
        return S3Backend.open(new S3Location(server.newBucket(), "faulty"), server.env());
    }
}
