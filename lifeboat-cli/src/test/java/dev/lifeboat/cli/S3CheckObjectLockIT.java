package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.repo.backend.s3.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 'check' reports the object lock of S3 repositories, in text and JSON. S3Proxy stores no object lock
 * retention, so every sampled object reads as unlocked here; CheckerObjectLockTest covers locked objects.
 */
class S3CheckObjectLockIT {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension();

    @TempDir(factory = QuietTempDir.class)
    Path dir;

    @Test
    void checkReportsTheObjectLockOfASampleOfObjects() throws Exception {
        LifeboatCli lifeboat = new LifeboatCli(dir.resolve("unused"));
        lifeboat.env.putAll(server.env());
        lifeboat.env.put("LIFEBOAT_REPO", "s3://" + server.newBucket() + "/repo");
        lifeboat.ok("init");
        Path src = dir.resolve("src");
        Trees.file(src.resolve("a.txt"), "alpha\n");
        lifeboat.ok("backup", "--quiet", src.toString());

        JsonNode lock = lifeboat.ok("check", "--json", "--quiet").json().path("objectLock");
        LifeboatCli.Run text = lifeboat.ok("check", "--quiet");

        assertThat(lock.path("sampled").asInt()).isEqualTo(5);
        assertThat(lock.path("locked").asInt()).isZero();
        assertThat(lock.path("objects")).extracting(o -> o.path("object").asText().split("/")[0])
                .containsExactly("config", "data", "index", "keys", "snapshots");
        assertThat(lock.path("objects")).allSatisfy(o -> assertThat(o.has("mode")).isFalse());
        assertThat(text.outLines()).contains("object lock: none of the 5 sampled objects is locked");
    }

    @Test
    void aLocalRepositoryHasNoObjectLockToReport() {
        LifeboatCli lifeboat = new LifeboatCli(dir.resolve("repo"));
        lifeboat.ok("init");

        assertThat(lifeboat.ok("check", "--json", "--quiet").json().has("objectLock")).isFalse();
        assertThat(lifeboat.ok("check", "--quiet").out()).doesNotContain("object lock");
    }
}
