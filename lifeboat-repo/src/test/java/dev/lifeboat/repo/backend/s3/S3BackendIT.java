package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.BackendContractTest;
import dev.lifeboat.repo.backend.ForwardingBackend;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The backend contract against a real S3 protocol server, under a key prefix of a fresh bucket. */
class S3BackendIT extends BackendContractTest {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension();

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
