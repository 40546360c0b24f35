package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.repo.FaultToleranceTest;
import dev.lifeboat.repo.backend.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The fault-tolerance test on the S3 backend against a real S3 protocol server. */
class S3FaultToleranceIT extends FaultToleranceTest {
    static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.inMemory();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Override
    protected Backend storage() {
        return S3Backend.open(new S3Location(server.newBucket(), "faulty"), server.env());
    }
}
