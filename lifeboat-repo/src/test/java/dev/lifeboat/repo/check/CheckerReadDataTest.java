package dev.lifeboat.repo.check;

import dev.lifeboat.repo.Progress;
import dev.lifeboat.repo.RepoWriter;
import dev.lifeboat.repo.Repository;
import dev.lifeboat.repo.TestBytes;
import dev.lifeboat.repo.TestRepositories;
import dev.lifeboat.repo.backend.ForwardingBackend;
import dev.lifeboat.repo.backend.MemoryBackend;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.pack.BlobType;
import dev.lifeboat.repo.pack.PackEntry;
import dev.lifeboat.repo.pack.PackHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code check --read-data}: packs read in pieces, every byte of them authenticated. */
class CheckerReadDataTest {
    private static final int PREFERRED = 100_000;
    private final MemoryBackend memory = new MemoryBackend();
    /** The ranged reads into buffers, per pack: offset and length. */
    private final Map<String, List<long[]>> reads = new ConcurrentHashMap<>();
    private final ForwardingBackend counting = new ForwardingBackend(memory) {
        @Override
        public int preferredReadSize() {
            return PREFERRED;
        }

        @Override
        public void readRange(ObjectName name, long offset, int length, byte[] into, int at) {
            reads.computeIfAbsent(name.name(), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(new long[] {offset, length});
            super.readRange(name, offset, length, into, at);
        }
    };

    /** Blobs of 1 KiB to 600 KiB, compressible and not, in several 1 MiB packs; their packs' names. */
    private List<String> packs(Repository repo) {
        try (RepoWriter writer = new RepoWriter(repo, 2)) {
            for (int i = 0; i < 24; i++) {
                int size = 1024 + i * 25_000;
                byte[] blob = i % 2 == 0 ? TestBytes.random(i, size) : new byte[size];
                blob[0] = (byte) i;
                writer.save(BlobType.DATA, blob);
            }
            writer.flush();
        }
        List<String> packs = new ArrayList<>();
        memory.list(ObjectKind.DATA, info -> packs.add(info.name().name()));
        assertThat(packs).hasSizeGreaterThan(2);
        return packs;
    }

    @Test
    void eachPackIsReadOnceFrontToBackInPiecesNoBiggerThanThePreferredSize() {
        Repository repo = TestRepositories.init(counting, TestRepositories.smallPacks());
        List<String> packs = packs(repo);

        Checker.Report report = new Checker(repo, Progress.NONE).run(1.0);

        assertThat(report.errors()).isEmpty();
        assertThat(report.packsRead()).isEqualTo(packs.size());
        int largestOfAll = 0;
        for (String pack : packs) {
            ObjectName name = new ObjectName(ObjectKind.DATA, pack);
            long size = memory.size(name);
            int largest = PackHeader.read(memory, name, repo.key()).stream().mapToInt(PackEntry::length).max()
                    .orElseThrow();
            largestOfAll = Math.max(largestOfAll, largest);
            List<long[]> pieces = new ArrayList<>(reads.get(pack));
            pieces.sort(Comparator.comparingLong(r -> r[0]));
            long next = 0;
            for (long[] piece : pieces) {
                assertThat(piece[0]).as("pieces of %s follow each other", pack).isEqualTo(next);
                assertThat(piece[1]).isBetween(1L, (long) PREFERRED);
                next += piece[1];
            }
            assertThat(next).as("the pieces cover %s", pack).isEqualTo(size);
        }
        assertThat(largestOfAll).as("some blob is bigger than a piece").isGreaterThan(PREFERRED);
    }

    /**
     * A byte flipped anywhere in a pack: in its first blob, in a blob in its middle, in its header, in the
     * header length; the blob or the header it damaged is named as well.
     */
    @ParameterizedTest(name = "byte {0} from the start (negative: from the end): {1}")
    @CsvSource({"0, is damaged: ", "300000, is damaged: ", "-40, pack header", "-1, pack has an invalid header length"})
    void aByteFlippedAnywhereInAPackIsFoundAndThePackNamed(int position, String damage) {
        Repository repo = TestRepositories.init(counting, TestRepositories.smallPacks());
        List<String> packs = packs(repo);
        String damaged = packs.stream().filter(p -> memory.size(new ObjectName(ObjectKind.DATA, p)) > 400_000)
                .findFirst().orElseThrow();
        ObjectName name = new ObjectName(ObjectKind.DATA, damaged);
        byte[] bytes = memory.get(name);
        int at = position >= 0 ? position : bytes.length + position;
        bytes[at] ^= 0x10;
        memory.corrupt(name, bytes);

        Checker.Report report = new Checker(repo, Progress.NONE).run(1.0);

        assertThat(report.errors()).isNotEmpty();
        assertThat(report.errors()).allSatisfy(p -> assertThat(p.object()).isEqualTo("pack " + damaged));
        assertThat(report.errors().getFirst().message())
                .isEqualTo("content does not match its name (the file was altered or damaged)");
        assertThat(report.errors().subList(1, report.errors().size())).isNotEmpty()
                .allSatisfy(p -> assertThat(p.message()).contains(damage));
    }
}
