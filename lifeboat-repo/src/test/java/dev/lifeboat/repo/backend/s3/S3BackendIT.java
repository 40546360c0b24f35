package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.BackendContractTest;
import dev.lifeboat.repo.backend.ForwardingBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The backend contract against a real S3 protocol server, under a key prefix of a fresh bucket. */
class S3BackendIT extends BackendContractTest {
    static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.inMemory();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    /** Backends share the server's client (closing a backend would close it) to keep the suite fast. */
    @Override
    protected Backend newBackend() {
        S3Backend s3 = new S3Backend(server.client(), new S3Location(server.newBucket(), "team/repo"),
                S3Options.fromEnvironment(server.env()));
        return new ForwardingBackend(s3) {
            @Override
            public void close() {
            }
        };
    }
}
