package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.engine.files.TreeCompare;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.backend.LocalBackend;
import dev.lifeboat.repo.backend.ObjectInfo;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.pack.PackHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** forget, tag, prune, rewrite and repair, end to end on a local repository. */
class RetentionCliTest {
    @TempDir(factory = QuietTempDir.class)
    Path dir;

    Path repo;
    Path src;
    LifeboatCli lifeboat;

    @BeforeEach
    void createRepository() throws IOException {
        repo = dir.resolve("repo");
        lifeboat = new LifeboatCli(repo);
        lifeboat.ok("init", "--pack-size-mib", "1");
        src = dir.resolve("data/src");
        Trees.file(src.resolve("app/readme.txt"), "hello");
        Files.write(src.resolve("app/big.bin"), Trees.random(1, 600_000));
    }

    private String backup(String... tags) throws IOException {
        Files.writeString(src.resolve("app/counter.txt"), String.valueOf(System.nanoTime()));
        List<String> args = new ArrayList<>(List.of("backup", "--json", "--quiet"));
        for (String t : tags) {
            args.add("--tag");
            args.add(t);
        }
        args.add(src.toString());
        return lifeboat.ok(args.toArray(String[]::new)).json().get("snapshot").asText();
    }

    private List<String> snapshotIds() {
        List<String> ids = new ArrayList<>();
        lifeboat.ok("snapshots", "--json").json().forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    @Test
    void forgetSaysPerSourceWhatItKeepsAndWhyAndRemovesTheRest() throws IOException {
        String oldest = backup();
        backup();
        String newest = backup();
        LifeboatCli.Run dry = lifeboat.ok("forget", "--dry-run", "--keep-last", "1", "--time-zone", "UTC");
        assertThat(dry.out()).contains("files " + src + " on ").contains("(policy: keep-last=1)")
                .contains("  keep   " + newest.substring(0, 8)).contains("newest, last")
                .contains("  remove " + oldest.substring(0, 8)).endsWith("would remove 2 snapshot(s)\n");
        assertThat(snapshotIds()).hasSize(3);

        JsonNode json = lifeboat.ok("forget", "--json", "--keep-last", "1").json();
        JsonNode group = json.get("groups").get(0);
        assertThat(group.get("group").asText()).isEqualTo("files");
        assertThat(group.get("snapshots").get(0).get("reasons").toString()).isEqualTo("[\"newest\",\"last\"]");
        assertThat(json.get("removed").asInt()).isEqualTo(2);
        assertThat(snapshotIds()).containsExactly(newest);

        backup();
        LifeboatCli.Run pruned = lifeboat.ok("forget", "--keep-last", "1", "--prune");
        assertThat(pruned.out()).contains("removed 1 snapshot(s)").contains("freed ");
        lifeboat.ok("check", "--read-data");

        backup();
        JsonNode both = lifeboat.ok("forget", "--json", "--keep-last", "1", "--prune").json();
        assertThat(both.get("removed").asInt()).isEqualTo(1);
        assertThat(both.get("prune").get("dryRun").asBoolean()).isFalse();
        assertThat(both.get("prune").has("plan")).isTrue();
    }

    @Test
    void pinnedAndVerifiedSnapshotsSurviveAnyPolicy() throws IOException {
        String pinned = backup();
        String verified = backup("verified");
        backup();
        String newest = backup();
        LifeboatCli.Run tag = lifeboat.ok("tag", pinned, "--pin");
        String pinnedNow = tag.out().split(" is now ")[1].substring(0, 8);
        lifeboat.ok("forget", "--keep-last", "1");
        List<String> left = snapshotIds();
        assertThat(left).hasSize(3);
        assertThat(left).anyMatch(id -> id.startsWith(pinnedNow)).contains(verified, newest);
        assertThat(left).doesNotContain(pinned);

        LifeboatCli.Run unpin = lifeboat.ok("tag", pinnedNow, "--unpin", "--add", "kept-by-hand");
        assertThat(unpin.out()).contains("[kept-by-hand]");
    }

    @Test
    void badRetentionInputIsRefusedClearlyAndRemovesNothing() throws IOException {
        backup();
        backup();
        LifeboatCli.Run negative = lifeboat.run("forget", "--keep-daily", "-1");
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err()).contains("--keep-daily must be 0 or more, got '-1'");
        LifeboatCli.Run noUnit = lifeboat.run("forget", "--keep-within", "30");
        assertThat(noUnit.exit()).isEqualTo(2);
        assertThat(noUnit.err()).contains("--keep-within must be a positive number with a unit: h (hours), d (days), "
                + "w (weeks), m (months) or y (years), for example 30d; got '30'");
        Path config = dir.resolve("lifeboat.yml");
        Files.writeString(config, "retention:\n  files:\n    keep-lastt: 1\n");
        LifeboatCli.Run unknown = lifeboat.run("forget", "--config", config.toString());
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown setting 'retention.files.keep-lastt'");
        LifeboatCli.Run group = lifeboat.run("forget", "--type", "logs", "--keep-last", "1");
        assertThat(group.err()).contains("unknown policy group 'logs'");
        assertThat(snapshotIds()).hasSize(2);
    }

    @Test
    void anAppendOnlyHostMayNotForgetOrPrune() throws IOException {
        backup();
        backup();
        lifeboat.env.put("LIFEBOAT_APPEND_ONLY", "true");
        for (String[] args : new String[][] {{"forget", "--keep-last", "1"}, {"prune"}, {"tag", "latest", "--pin"}}) {
            LifeboatCli.Run r = lifeboat.run(args);
            assertThat(r.exit()).as("%s", r).isEqualTo(17);
            assertThat(r.err()).contains("'" + args[0] + "' deletes objects, and this host's configuration is append-only");
        }
        assertThat(lifeboat.ok("forget", "--dry-run", "--keep-last", "1").out()).contains("would remove 1 snapshot(s)");
        assertThat(snapshotIds()).hasSize(2);
    }

    @Test
    void withoutAPolicyForgetKeepsEverything() throws IOException {
        backup();
        backup();
        assertThat(lifeboat.ok("forget").out()).contains("no policy").endsWith("removed 0 snapshot(s)\n");
        assertThat(snapshotIds()).hasSize(2);
    }

    @Test
    void rewriteThenPruneErasesTheDataFromEveryPack() throws IOException {
        String marker = "GDPR-ERASE-ME-7f3a9c";
        Path secret = Trees.file(src.resolve("app/customer-" + marker + ".txt"),
                (marker + " Jane Doe, 1 Main Street\n").repeat(2000));
        String first = backup();
        String second = backup();
        assertThat(plaintextOfEveryBlob()).contains(marker);

        LifeboatCli.Run rewrite = lifeboat.ok("rewrite", first, second, "--exclude", "customer-*.txt");
        assertThat(rewrite.out()).contains("app/customer-" + marker + ".txt").contains("prune --max-unused 0%");
        assertThat(snapshotIds()).doesNotContain(first, second).hasSize(2);
        LifeboatCli.Run prune = lifeboat.ok("prune", "--max-unused", "0%");
        assertThat(prune.out()).contains("freed");
        assertThat(plaintextOfEveryBlob()).doesNotContain(marker);
        lifeboat.ok("check", "--read-data");

        Files.delete(secret);
        Path target = dir.resolve("restore");
        Files.createDirectory(target);
        lifeboat.ok("restore", "latest", "--quiet", "--target", target.toString());
        assertThat(TreeCompare.differences(src, Trees.restored(target, src), false)).isEmpty();
    }

    /** Every blob of every pack, decrypted and decompressed, as one string (tree blobs hold the file names). */
    private String plaintextOfEveryBlob() {
        StringBuilder all = new StringBuilder();
        try (Repository r = Repository.open(new LocalBackend(repo), LifeboatCli.PASSWORD.toCharArray())) {
            List<ObjectInfo> packs = new ArrayList<>();
            r.backend().list(ObjectKind.DATA, packs::add);
            for (ObjectInfo p : packs) {
                byte[] bytes = r.backend().get(p.name());
                for (PackEntry e : PackHeader.parse(bytes, r.key(), "pack")) {
                    all.append(new String(r.decodeBlob(dev.lifeboat.repo.BlobId.parse(p.name().name()), e, bytes,
                            e.offset()), StandardCharsets.ISO_8859_1));
                }
            }
        }
        return all.toString();
    }

    @Test
    void repairIndexRebuildsTheIndexFromPackHeaders() throws IOException {
        backup();
        backup();
        List<ObjectName> indexes = new ArrayList<>();
        new LocalBackend(repo).list(ObjectKind.INDEX, i -> indexes.add(i.name()));
        indexes.forEach(new LocalBackend(repo)::delete);
        assertThat(lifeboat.run("check").exit()).isEqualTo(13);
        assertThat(lifeboat.ok("repair", "index").out()).contains("index rebuilt from ");
        lifeboat.ok("check", "--read-data");
    }

    @Test
    void repairSnapshotsRemovesFilesWhoseDataIsMissingAndNamesThem() throws IOException {
        backup();
        // more than a pack of its own, so that losing a pack loses its content but no tree blob
        Files.write(src.resolve("app/lost.bin"), Trees.random(9, 1_300_000));
        backup();
        LocalBackend b = new LocalBackend(repo);
        String lostPack = null;
        try (Repository r = Repository.open(b, LifeboatCli.PASSWORD.toCharArray())) {
            for (var ref : new dev.lifeboat.repo.snapshot.SnapshotStore(r).list()) {
                for (var n : dev.lifeboat.repo.snapshot.TreeReader.nodes(r, ref.snapshot())) {
                    if (n.path().endsWith("lost.bin")) {
                        lostPack = r.index().lookup(n.content().get(0)).pack().hex();
                    }
                }
            }
        }
        assertThat(lostPack).isNotNull();
        b.delete(new ObjectName(ObjectKind.DATA, lostPack));
        lifeboat.ok("repair", "index");
        LifeboatCli.Run repair = lifeboat.ok("repair", "snapshots");
        assertThat(repair.out()).contains("lost.bin' (its data is missing)").contains("repaired");
        lifeboat.ok("check", "--read-data");
    }
}
