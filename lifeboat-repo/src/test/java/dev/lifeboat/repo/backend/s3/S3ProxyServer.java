package dev.lifeboat.repo.backend.s3;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real S3 protocol server (S3Proxy) in this JVM on a loopback port, with objects in memory or in a
 * folder: for tests and benchmarks of the S3 backend. Packaged in the test-jar for other modules.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "lifeboat-access";
    public static final String SECRET_KEY = "lifeboat-secret-key";
    private final S3Proxy proxy;
    private final URI endpoint;
    private final S3Client client;

    private S3ProxyServer(S3Proxy proxy, URI endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.client = S3Backend.clientBuilder(S3Options.fromEnvironment(env()), env()).build();
    }

    /** A server keeping objects in memory. */
    public static S3ProxyServer inMemory() throws Exception {
        return start("transient-nio2", new Properties());
    }

    /** A server keeping objects in files under {@code dir}. */
    public static S3ProxyServer inFolder(Path dir) throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
        return start("filesystem-nio2", p);
    }

    private static S3ProxyServer start(String provider, Properties properties) throws Exception {
        BlobStore store = BlobStores.create(provider, properties);
        S3Proxy proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).stopTimeout(100).build();
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
        return new S3ProxyServer(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The environment a Lifeboat process needs to reach this server. */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("LIFEBOAT_S3_ENDPOINT", endpoint.toString());
        env.put("LIFEBOAT_S3_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        return env;
    }

    /** A client of this server, for tests that look at the bucket directly. */
    public S3Client client() {
        return client;
    }

    /** Creates an empty bucket with a fresh name and returns the name. */
    public String newBucket() {
        String bucket = "lifeboat-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        client.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    @Override
    public void close() throws Exception {
        client.close();
        proxy.stop();
    }
}
