package dev.lifeboat.repo.backend.s3;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.Map;

/**
 * One in-memory S3Proxy for a test class, started before its tests and stopped after them:
 * {@code @RegisterExtension static final S3ProxyExtension server = new S3ProxyExtension();}.
 */
public final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {
    private S3ProxyServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = S3ProxyServer.inMemory();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        server.close();
    }

    public URI endpoint() {
        return server.endpoint();
    }

    public Map<String, String> env() {
        return server.env();
    }

    public S3Client client() {
        return server.client();
    }

    public String newBucket() {
        return server.newBucket();
    }
}
