package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.copy.SnapshotCopierTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Copies from a local repository to one in S3 (a real S3 protocol server). */
class S3SnapshotCopierIT extends SnapshotCopierTest {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension();

    @AfterEach
    void closeDestination() {
        destination.close();
    }

    @Override
    protected Backend destinationStorage() {
        return S3Backend.open(new S3Location(server.newBucket(), "offsite"), server.env());
    }
}
