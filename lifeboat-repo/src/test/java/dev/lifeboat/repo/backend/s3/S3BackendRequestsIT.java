package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.repo.TestBytes;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.Retention;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

/** What the S3 backend asks of the server (storage classes, encryption, parts) and how it reads failures. */
class S3BackendRequestsIT {
    @RegisterExtension
    static final S3ProxyExtension server = new S3ProxyExtension();
    final List<SdkHttpRequest> requests = new CopyOnWriteArrayList<>();
    volatile boolean truncateReads;

    /** Records every request and, when asked, cuts response bodies short as a dropped connection would. */
    private final ExecutionInterceptor recorder = new ExecutionInterceptor() {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            requests.add(context.httpRequest());
        }

        @Override
        public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                               ExecutionAttributes attributes) {
            if (!truncateReads || context.responseBody().isEmpty()) {
                return context.responseBody();
            }
            try {
                byte[] all = context.responseBody().get().readAllBytes();
                return Optional.of(new ByteArrayInputStream(all, 0, all.length / 2));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private S3Backend backend(Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>(server.env());
        env.putAll(extraEnv);
        S3Options options = S3Options.fromEnvironment(env);
        S3ClientBuilder b = S3Backend.clientBuilder(options, env);
        b.overrideConfiguration(b.overrideConfiguration().toBuilder().addExecutionInterceptor(recorder).build());
        return new S3Backend(b.build(), new S3Location(server.newBucket(), "r"), options);
    }

    private List<SdkHttpRequest> puts() {
        return requests.stream().filter(r -> r.method().name().equals("PUT")).toList();
    }

    @Test
    void storageClassesFollowTheKindOfObject() {
        try (S3Backend s3 = backend(Map.of("LIFEBOAT_S3_STORAGE_CLASS_DATA", "standard_ia",
                "LIFEBOAT_S3_STORAGE_CLASS_METADATA", "REDUCED_REDUNDANCY"))) {
            requests.clear();
            s3.put(new ObjectName(ObjectKind.DATA, "ab12"), new byte[10]);
            s3.put(new ObjectName(ObjectKind.SNAPSHOT, "cd34"), new byte[10]);
            s3.put(new ObjectName(ObjectKind.LOCK, "ef56"), new byte[10]);

            assertThat(puts()).extracting(r -> r.firstMatchingHeader("x-amz-storage-class").orElse("default"))
                    .containsExactly("STANDARD_IA", "REDUCED_REDUNDANCY", "default");
        }
    }

    @Test
    void everyUploadCarriesItsCrc32AndTheRequestedEncryption() {
        try (S3Backend s3 = backend(Map.of("LIFEBOAT_S3_SSE", "aws:kms", "LIFEBOAT_S3_SSE_KMS_KEY_ID", "alias/backups"))) {
            requests.clear();
            try {
                s3.put(new ObjectName(ObjectKind.INDEX, "ab12"), "hello".getBytes());
            } catch (RuntimeException kmsIsNotEmulated) {
                // S3Proxy has no KMS; what matters here is what was asked
            }

            SdkHttpRequest put = puts().get(0);
            assertThat(put.firstMatchingHeader("x-amz-server-side-encryption")).contains("aws:kms");
            assertThat(put.firstMatchingHeader("x-amz-server-side-encryption-aws-kms-key-id")).contains("alias/backups");
            assertThat(put.firstMatchingHeader("x-amz-checksum-crc32")).contains("NhCmhg==");
        }
    }

    @Test
    void uploadsOverPlainHttpSignTheWholeBodyInsteadOfEachChunk() throws Exception {
        byte[] body = TestBytes.random(2, 300_000);
        try (S3Backend s3 = backend(Map.of())) {
            requests.clear();
            s3.put(new ObjectName(ObjectKind.DATA, "ab12"), body);

            SdkHttpRequest put = puts().get(0);
            assertThat(put.firstMatchingHeader("x-amz-content-sha256")).contains(java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body)));
            assertThat(put.firstMatchingHeader("Content-Encoding")).isEmpty();
            assertThat(s3.get(new ObjectName(ObjectKind.DATA, "ab12"))).isEqualTo(body);
        }
    }

    @Test
    void objectLockRetentionIsRequestedForEveryObjectButLocks() {
        try (S3Backend s3 = backend(Map.of("LIFEBOAT_S3_OBJECT_LOCK_MODE", "governance",
                "LIFEBOAT_S3_OBJECT_LOCK_DAYS", "30"))) {
            requests.clear();
            for (ObjectName name : List.of(new ObjectName(ObjectKind.SNAPSHOT, "ab12"),
                    new ObjectName(ObjectKind.LOCK, "cd34"))) {
                try {
                    s3.put(name, new byte[3]);
                } catch (RuntimeException objectLockIsNotEmulated) {
                    // S3Proxy does not implement object lock; what matters here is what was asked
                }
            }

            List<SdkHttpRequest> puts = puts();
            assertThat(puts.get(0).firstMatchingHeader("x-amz-object-lock-mode")).contains("GOVERNANCE");
            assertThat(puts.get(0).firstMatchingHeader("x-amz-object-lock-retain-until-date")).hasValueSatisfying(
                    until -> assertThat(java.time.Instant.parse(until)).isBetween(
                            java.time.Instant.now().plus(java.time.Duration.ofDays(30)).minusSeconds(120),
                            java.time.Instant.now().plus(java.time.Duration.ofDays(30))));
            assertThat(puts.get(1).firstMatchingHeader("x-amz-object-lock-mode")).isEmpty();
        }
    }

    @Test
    void largeObjectsAreUploadedInPartsAndReadBackWhole() {
        Map<String, String> env = new HashMap<>(server.env());
        S3Options options = S3Options.fromEnvironment(env).withMultipart(S3Options.MIN_PART_SIZE, S3Options.MIN_PART_SIZE);
        S3ClientBuilder b = S3Backend.clientBuilder(options, env);
        b.overrideConfiguration(b.overrideConfiguration().toBuilder().addExecutionInterceptor(recorder).build());
        byte[] bytes = TestBytes.random(5, 2 * S3Options.MIN_PART_SIZE + 12345);
        ObjectName pack = new ObjectName(ObjectKind.DATA, "ab" + "0".repeat(62));
        try (S3Backend s3 = new S3Backend(b.build(), new S3Location(server.newBucket(), ""), options)) {
            requests.clear();
            s3.put(pack, bytes);

            assertThat(puts()).filteredOn(r -> r.rawQueryParameters().containsKey("partNumber")).hasSize(3);
            assertThat(s3.get(pack)).isEqualTo(bytes);
            assertThat(s3.getRange(pack, S3Options.MIN_PART_SIZE - 5, 10))
                    .isEqualTo(java.util.Arrays.copyOfRange(bytes, S3Options.MIN_PART_SIZE - 5, S3Options.MIN_PART_SIZE + 5));
        }
    }

    @Test
    void aResponseCutShortIsATransientErrorNotShortData() {
        try (S3Backend s3 = backend(Map.of())) {
            ObjectName key = new ObjectName(ObjectKind.KEY, "k1");
            s3.put(key, TestBytes.random(1, 1000));
            truncateReads = true;

            assertFails(() -> s3.get(key), ErrorCode.STORAGE_TRANSIENT)
                    .hasMessage("cannot read 'keys/k1' in repository '" + s3.location()
                            + "': the response ended after 500 of 1000 bytes");
            assertFails(() -> s3.getRange(key, 100, 200), ErrorCode.STORAGE_TRANSIENT)
                    .hasMessage("cannot read 'keys/k1' in repository '" + s3.location()
                            + "': the response ended after 100 of 200 bytes");
        }
    }

    @Test
    void wrongCredentialsAreAPermanentAccessDenied() {
        try (S3Backend s3 = backend(Map.of("AWS_SECRET_ACCESS_KEY", "not-the-secret"))) {
            assertFails(() -> s3.put(new ObjectName(ObjectKind.KEY, "k1"), new byte[1]), ErrorCode.STORAGE_PERMANENT)
                    .hasMessageStartingWith("cannot write 'keys/k1' in repository '" + s3.location()
                            + "': access denied (SignatureDoesNotMatch: ");
        }
    }

    @Test
    void createSendsAConditionalWriteThatTheServerHonours() {
        try (S3Backend s3 = backend(Map.of())) {
            requests.clear();
            assertThat(s3.create(ObjectName.CONFIG, new byte[] {1})).isTrue();

            assertThat(puts()).singleElement().satisfies(r ->
                    assertThat(r.firstMatchingHeader("If-None-Match")).contains("*"));
            assertThat(s3.conditionalWrites()).isTrue();
        }
    }

    @Test
    void objectsWithoutObjectLockReportNoRetention() {
        try (S3Backend s3 = backend(Map.of())) {
            s3.put(ObjectName.CONFIG, new byte[1]);

            assertThat(s3.retention(ObjectName.CONFIG)).isEqualTo(Retention.NONE);
        }
    }
}
