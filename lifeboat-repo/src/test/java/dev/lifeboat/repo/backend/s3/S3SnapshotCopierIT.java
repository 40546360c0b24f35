package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.copy.SnapshotCopierTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** Copies from a local repository to one in S3 (a real S3 protocol server). */
class S3SnapshotCopierIT extends SnapshotCopierTest {
    static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.inMemory();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeDestination() {
        destination.close();
    }

    @Override
    protected Backend destinationStorage() {
        return S3Backend.open(new S3Location(server.newBucket(), "offsite"), server.env());
    }
}
