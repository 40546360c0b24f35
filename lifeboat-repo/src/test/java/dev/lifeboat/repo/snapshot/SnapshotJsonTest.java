package dev.lifeboat.repo.snapshot;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.repo.Golden;
import dev.lifeboat.repo.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static dev.lifeboat.repo.TestBytes.repeated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotJsonTest {
    /** The node that the golden file {@code node-file.json} holds. */
    static final Node FILE = new Node("etc/postgresql/16/main/postgresql.conf", NodeType.FILE, 0100644, 105, 110,
            "postgres", "postgres", 1_714_987_654_123_456_789L, 29_937, null,
            List.of(repeated(0xa1), repeated(0xb2)),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 1_234_567L, 2049L,
            1_714_987_655_000_000_001L);
    static final Node DIR = new Node("etc", NodeType.DIR, 040755, 0, 0, "root", "root", 1_700_000_000_000_000_000L, 0,
            null, null, null, null, null, null);
    static final Node SYMLINK = new Node("etc/localtime", NodeType.SYMLINK, 0120777, null, null, null, null, 0, 0,
            "/usr/share/zoneinfo/Etc/UTC", null, null, null, null, null);

    static Snapshot snapshot() {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("systemIdentifier", "7351234567890123456");
        details.putArray("timelines").add(1).add(2);
        return new Snapshot(1, Instant.parse("2024-05-06T07:08:09.123456789Z"), "files", "/srv", "db1", "postgres",
                List.of("/srv/a", "/srv/b"), List.of("daily"), List.of("*.tmp"), repeated(0x01),
                List.of(repeated(0x02), repeated(0x03)), new Summary(10, 2, 1, 12345, 7, 6000, 3000, 1500, 0),
                details, "0.1.0");
    }

    @Test
    void fileNodeMatchesTheGoldenJson() {
        Golden.assertMatches("node-file.json", new String(Json.bytes(FILE), StandardCharsets.UTF_8) + "\n");
    }

    @Test
    void goldenJsonReadsBackAsTheNode() {
        byte[] golden = Golden.read("node-file.json").strip().getBytes(StandardCharsets.UTF_8);

        assertThat(Json.read(golden, Node.class, "tree record")).isEqualTo(FILE);
    }

    @Test
    void snapshotMatchesTheGoldenJson() {
        Golden.assertMatches("snapshot.json", new String(Json.bytes(snapshot()), StandardCharsets.UTF_8) + "\n");
    }

    @Test
    void goldenJsonReadsBackAsTheSnapshot() {
        byte[] golden = Golden.read("snapshot.json").strip().getBytes(StandardCharsets.UTF_8);

        assertThat(Json.read(golden, Snapshot.class, "snapshot")).isEqualTo(snapshot());
    }

    @Test
    void everyKindOfNodeRoundTrips() {
        for (Node node : List.of(FILE, DIR, SYMLINK, FILE.withContent(List.of()))) {
            assertThat(Json.read(Json.bytes(node), Node.class, "tree record")).isEqualTo(node);
        }
    }

    @Test
    void nodeJsonOmitsFieldsThatAreNotSet() {
        String json = new String(Json.bytes(SYMLINK), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"path\":\"etc/localtime\",\"type\":\"symlink\",\"mode\":41471,\"mtime\":0,"
                + "\"size\":0,\"target\":\"/usr/share/zoneinfo/Etc/UTC\"}");
    }

    @Test
    void aSnapshotWithoutOptionalFieldsRoundTrips() {
        Snapshot minimal = new Snapshot(1, Instant.parse("2024-01-01T00:00:00Z"), "pg", null, null, null, null, null,
                null, null, List.of(), null, null, null);

        Snapshot read = Json.read(Json.bytes(minimal), Snapshot.class, "snapshot");

        assertThat(read).isEqualTo(minimal);
        assertThat(read.paths()).isEmpty();
        assertThat(read.tags()).isEmpty();
        assertThat(read.excludes()).isEmpty();
    }

    @Test
    void unknownFieldsAreIgnoredSoThatNewerWritersStayReadable() {
        String json = "{\"path\":\"a\",\"type\":\"dir\",\"mode\":493,\"mtime\":0,\"size\":0,\"xattrs\":{\"k\":\"v\"}}";

        assertThat(Json.read(json.getBytes(StandardCharsets.UTF_8), Node.class, "tree record"))
                .isEqualTo(new Node("a", NodeType.DIR, 493, null, null, null, null, 0, 0, null, null, null, null, null,
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            not json        | {"path":                                                 | Unexpected end-of-input
            absolute path   | {"path":"/etc","type":"dir","mode":0,"mtime":0,"size":0} | invalid node path '/etc'
            unknown type    | {"path":"a","type":"fifo","mode":0,"mtime":0,"size":0}   | from String "fifo"
            file no content | {"path":"a","type":"file","mode":0,"mtime":0,"size":0}   | file node 'a' has no content list
            bad blob id     | {"path":"a","type":"file","content":["abc"]}             | got 'abc'
            """)
    void malformedTreeRecordsFailWithIntegrity(String what, String json, String message) {
        assertFails(() -> Json.read(json.getBytes(StandardCharsets.UTF_8), Node.class, "tree record"),
                ErrorCode.INTEGRITY)
                .hasMessageStartingWith("tree record is malformed: ")
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void aSnapshotOfAnotherVersionFailsWithIntegrity() {
        String json = new String(Json.bytes(snapshot()), StandardCharsets.UTF_8).replace("\"version\":1",
                "\"version\":2");

        assertFails(() -> Json.read(json.getBytes(StandardCharsets.UTF_8), Snapshot.class, "snapshot 'ab'"),
                ErrorCode.INTEGRITY)
                .hasMessageStartingWith("snapshot 'ab' is malformed: ")
                .hasMessageContaining("unsupported snapshot version 2");
    }

    @Test
    void aSnapshotNeedsTimeTypeAndTree() {
        assertThatThrownBy(() -> new Snapshot(1, null, "files", null, null, null, null, null, null, null, List.of(),
                null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a snapshot needs time, type and tree");
        assertThatThrownBy(() -> new Snapshot(1, Instant.EPOCH, "files", null, null, null, null, null, null, null,
                null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a snapshot needs time, type and tree");
    }
}
