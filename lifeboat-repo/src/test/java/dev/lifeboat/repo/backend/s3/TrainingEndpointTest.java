package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.repo.backend.ObjectInfo;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.ObjectNotFoundException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The training endpoint answers every kind of request the S3 backend sends, through the real client. */
class TrainingEndpointTest {
    private static final ObjectName PACK = new ObjectName(ObjectKind.DATA, "ab" + "0123456789".repeat(6) + "cd");

    @Test
    void trainingEndpointServesEveryRequestOfTheS3Backend() throws Exception {
        try (TrainingEndpoint endpoint = TrainingEndpoint.start();
             S3Backend s3 = S3Backend.open(S3Location.parse("s3://lifeboat-train/repo"), endpoint.env())) {
            byte[] pack = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
            assertThat(s3.create(ObjectName.CONFIG, new byte[] {1})).isTrue();
            assertThat(s3.create(ObjectName.CONFIG, new byte[] {2})).isFalse();
            s3.put(PACK, pack);

            byte[] range = new byte[4];
            s3.readRange(PACK, 10, 4, range);
            List<ObjectInfo> listed = new ArrayList<>();
            s3.list(ObjectKind.DATA, listed::add);

            assertThat(s3.get(ObjectName.CONFIG)).containsExactly(1);
            assertThat(range).asString(StandardCharsets.US_ASCII).isEqualTo("abcd");
            assertThat(s3.size(PACK)).isEqualTo(16);
            assertThat(listed).containsExactly(new ObjectInfo(PACK, 16));
            s3.delete(PACK);
            assertThat(s3.exists(PACK)).isFalse();
            assertThatThrownBy(() -> s3.get(PACK)).isInstanceOf(ObjectNotFoundException.class);
        }
    }
}
