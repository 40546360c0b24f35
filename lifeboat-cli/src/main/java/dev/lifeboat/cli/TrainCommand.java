package dev.lifeboat.cli;

import dev.lifeboat.engine.quickstart.SampleTree;
import dev.lifeboat.repo.backend.s3.TrainingEndpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * lifeboat train: runs the common commands on a small sample in this one process, so that the launcher
 * can record the classes they load (a CDS or AOT cache beside the jar) and every later command starts
 * without loading and linking them from the jar again. Hidden: the launchers run it after a build. With
 * {@code --s3} it also runs them against a throwaway S3 endpoint: the launcher keeps that cache apart and
 * uses it for S3 commands only, since the S3 client's classes add about 20 MiB to every process that maps
 * them (a local {@code snapshots}: 110 MiB peak RSS with the local cache, 132 MiB with the S3 one).
 */
@Command(name = "train", hidden = true, mixinStandardHelpOptions = true,
        description = "Run the common commands on a throwaway sample (used by the launcher to record a startup cache).")
final class TrainCommand extends BaseCommand {
    @Option(names = "--s3", description = "also run the commands against a throwaway S3 endpoint")
    boolean s3;

    @Override
    public Integer call() {
        Path work = null;
        try {
            work = Files.createTempDirectory("lifeboat-train-");
            Path app = work.resolve("app");
            String repo = work.resolve("repo").toString();
            SampleTree.create(app, 1);
            Map<String, String> env = new HashMap<>(cli.env());
            env.put("LIFEBOAT_PASSWORD", "lifeboat-train");
            PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
            Cli quiet = new Cli(nowhere, nowhere, env, InputStream.nullInputStream(), false);
            String[][] first = {
                    {"init", "--repo", repo},
                    {"backup", "--repo", repo, "--type", "files", app.toString()},
            };
            String[][] then = {
                    {"backup", "--repo", repo, "--type", "files", app.toString()},
                    {"snapshots", "--repo", repo},
                    {"snapshots", "--repo", repo, "--json"},
                    {"ls", "--repo", repo, "latest"},
                    {"restore", "--repo", repo, "latest", "--target", work.resolve("restored").toString()},
                    {"check", "--repo", repo, "--read-data"},
                    {"forget", "--repo", repo, "--keep-last", "1", "--dry-run"},
                    {"prune", "--repo", repo, "--dry-run"},
            };
            int failed = run(quiet, first);
            SampleTree.change(app, 2);
            failed += run(quiet, then);
            int steps = first.length + then.length;
            if (s3) {
                // the S3 client's classes too: without them an S3 command spends about 2 s more CPU starting
                String bucket = "s3://lifeboat-train/repo";
                String[][] onS3 = {
                        {"init", "--repo", bucket},
                        {"backup", "--repo", bucket, "--type", "files", app.toString()},
                        {"snapshots", "--repo", bucket},
                        {"restore", "--repo", bucket, "latest", "--target", work.resolve("restored-s3").toString()},
                };
                try (TrainingEndpoint endpoint = TrainingEndpoint.start()) {
                    env.putAll(endpoint.env());
                    failed += run(new Cli(nowhere, nowhere, env, InputStream.nullInputStream(), false), onS3);
                }
                steps += onS3.length;
            }
            say("trained on " + steps + " commands, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    /** Runs command lines in this process; returns how many failed. */
    private static int run(Cli quiet, String[][] commands) {
        int failed = 0;
        for (String[] args : commands) {
            failed += Main.execute(quiet, args) == 0 ? 0 : 1;
        }
        return failed;
    }
}
