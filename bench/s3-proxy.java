import dev.lifeboat.repo.backend.s3.S3ProxyServer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The S3 server of bench/s3-bench.sh: S3Proxy in this JVM (the tests' S3ProxyServer), keeping objects in
 * files under a folder, with one bucket. Writes the variables a Lifeboat process needs to reach it to a
 * file, then serves until the process is stopped.
 *
 * <p>Usage: {@code java -cp CLASSPATH bench/s3-proxy.java DATA_DIR BUCKET ENV_FILE}
 */
class S3ProxyMain {
    public static void main(String[] args) throws Exception {
        S3ProxyServer server = S3ProxyServer.inFolder(Path.of(args[0]));
        server.client().createBucket(b -> b.bucket(args[1]));
        Map<String, String> env = new TreeMap<>(server.env());
        Path ready = Path.of(args[2]);
        Path temp = ready.resolveSibling(ready.getFileName() + ".tmp");
        Files.writeString(temp, env.entrySet().stream().map(e -> "export " + e.getKey() + "=" + e.getValue() + "\n")
                .collect(Collectors.joining()), StandardCharsets.UTF_8);
        Files.move(temp, ready);
        Thread.currentThread().join();
    }
}
