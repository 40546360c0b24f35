package dev.lifeboat.cli;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.check.Checker;
import dev.lifeboat.repo.lock.RepoLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** lifeboat check: verifies the repository. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Verify the repository's structure and, optionally, re-read and authenticate its data; on S3, "
                + "report the object lock of a sample of objects.")
final class CheckCommand extends BaseCommand {
    @Option(names = "--read-data", description = "read and authenticate every byte of every pack")
    boolean readData;

    @Option(names = "--read-data-subset", paramLabel = "N%", description = "read a random N%% of the packs")
    String subset;

    @Override
    public Integer call() {
        double share = readData ? 1.0 : 0.0;
        if (subset != null) {
            if (readData) {
                throw LifeboatException.usage("--read-data and --read-data-subset exclude each other",
                        "give one of them");
            }
            share = parseShare(subset);
        }
        try (Repository repository = openRepository();
             RepoLock ignored = lock(repository, false, "check")) {
            long start = System.nanoTime();
            Checker.Report report = new Checker(repository, progress()).run(share);
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (json) {
                printJson(report);
            } else {
                for (String w : report.warnings()) {
                    cli.err().println("warning: " + w);
                }
                for (Checker.Problem p : report.errors()) {
                    cli.out().println("error: " + p);
                }
                say(String.format("checked %d snapshots, %d index files, %d packs, %d blobs (index: %.0f bytes per blob "
                        + "in memory)%s in %s", report.snapshots(), report.indexes(), report.packs(), report.blobs(),
                        report.indexBytesPerBlob(),
                        report.packsRead() > 0 ? String.format("; read %d packs (%s)", report.packsRead(),
                                Format.bytes(report.bytesRead())) : "",
                        Format.duration(millis)));
                if (report.objectLock() != null) {
                    say(report.objectLock().describe());
                }
            }
            if (!report.ok()) {
                cli.err().println("lifeboat: check found " + report.errors().size() + " error(s)");
                cli.err().println("HINT: restore damaged files from another copy; snapshots not named above are intact");
                return ErrorCode.INTEGRITY.exitStatus();
            }
            say("no errors were found");
            return 0;
        }
    }

    static double parseShare(String text) {
        String t = text.trim();
        if (!t.matches("\\d{1,3}(\\.\\d+)?%")) {
            throw LifeboatException.usage("invalid --read-data-subset '" + text + "'",
                    "give a percentage between 0% and 100%, for example 10%");
        }
        double v = Double.parseDouble(t.substring(0, t.length() - 1));
        if (v <= 0 || v > 100) {
            throw LifeboatException.usage("invalid --read-data-subset '" + text + "'",
                    "give a percentage above 0% and at most 100%");
        }
        return v / 100;
    }
}
