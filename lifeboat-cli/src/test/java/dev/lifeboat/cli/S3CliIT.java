package dev.lifeboat.cli;

import dev.lifeboat.engine.files.TreeCompare;
import dev.lifeboat.repo.backend.s3.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI with repositories in S3 (a real S3 protocol server in this JVM). */
class S3CliIT {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension();

    @TempDir(factory = QuietTempDir.class)
    Path dir;

    private LifeboatCli lifeboat(String location) {
        LifeboatCli cli = new LifeboatCli(dir.resolve("unused"));
        cli.env.putAll(server.env());
        cli.env.put("LIFEBOAT_REPO", location);
        return cli;
    }

    @Test
    void initBackupRestoreAndCheckThroughAnS3Repository() throws Exception {
        String location = "s3://" + server.newBucket() + "/prod/db1";
        LifeboatCli lifeboat = lifeboat(location);
        Path src = dir.resolve("src");
        Trees.file(src.resolve("a.txt"), "alpha\n");
        Trees.file(src.resolve("secret.env"), "X=1".getBytes(), "rw-------");
        Trees.largeFile(src.resolve("sub/big.bin"), 3, 5 << 20, false);

        assertThat(lifeboat.ok("init").out()).contains("at '" + location + "'");
        lifeboat.ok("backup", "--quiet", src.toString());
        Path target = dir.resolve("restore");
        Files.createDirectory(target);
        lifeboat.ok("restore", "latest", "--quiet", "--target", target.toString());
        LifeboatCli.Run check = lifeboat.ok("check", "--read-data", "--quiet");

        assertThat(TreeCompare.differences(src, Trees.restored(target, src), true)).isEmpty();
        assertThat(check.out()).contains("no errors were found");
        assertThat(server.client().listObjectsV2(b -> b.bucket(location.split("/")[2]).prefix("prod/db1/config"))
                .contents()).hasSize(1);
    }

    @Test
    void theSeedsBucketVariableAndTheConfigurationFileNameTheRepository() throws Exception {
        String bucket = server.newBucket();
        LifeboatCli lifeboat = lifeboat(null);
        lifeboat.env.remove("LIFEBOAT_REPO");
        lifeboat.env.remove("LIFEBOAT_S3_ENDPOINT");
        lifeboat.env.put("BACKUP_S3_BUCKET", bucket);
        Path config = Trees.file(dir.resolve("lifeboat.yml"), "s3:\n  endpoint: " + server.endpoint() + "\n");
        lifeboat.env.put("LIFEBOAT_CONFIG", config.toString());

        assertThat(lifeboat.ok("init").out()).contains("at 's3://" + bucket + "/lifeboat'");
        assertThat(lifeboat.ok("snapshots").exit()).isZero();
    }

    @Test
    void copiesALocalSnapshotToAnS3Repository() throws Exception {
        LifeboatCli local = new LifeboatCli(dir.resolve("primary"));
        local.ok("init");
        Path src = dir.resolve("src");
        Trees.file(src.resolve("a.txt"), "alpha\n");
        local.ok("backup", "--quiet", src.toString());
        String offsite = "s3://" + server.newBucket() + "/offsite";
        LifeboatCli s3 = lifeboat(offsite);
        s3.ok("init");
        local.env.putAll(server.env());

        assertThat(local.ok("copy", "--quiet", "--to", offsite).out()).startsWith("copied snapshot ");

        Path target = dir.resolve("restore");
        Files.createDirectory(target);
        s3.ok("restore", "latest", "--quiet", "--target", target.toString());
        assertThat(TreeCompare.differences(src, Trees.restored(target, src), true)).isEmpty();
    }

    @Test
    void aMissingBucketIsAPermanentErrorThatSaysSo() {
        LifeboatCli lifeboat = lifeboat("s3://no-such-bucket-here/x");

        LifeboatCli.Run init = lifeboat.run("init");

        assertThat(init.exit()).as("%s", init).isEqualTo(17);
        assertThat(init.errLines()).containsExactly(
                "lifeboat: cannot write 'keys/" + init.err().split("keys/")[1].split("'")[0]
                        + "' in repository 's3://no-such-bucket-here/x': bucket 'no-such-bucket-here' does not exist",
                "HINT: create the bucket, or check the repository location, s3.endpoint and s3.region");
    }
}
