package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.repo.backend.ObjectKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.util.HashMap;
import java.util.Map;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

class S3OptionsTest {
    @ParameterizedTest(name = "{0} with path-style {1}")
    @CsvSource(nullValues = "-", value = {
            "-,                          -,     false",
            "http://127.0.0.1:9000,      -,     true",
            "http://[::1]:9000,          auto,  true",
            "http://localhost:9000,      -,     true",
            "https://minio.example.com,  -,     false",
            "https://minio.example.com,  true,  true",
            "http://10.0.0.5:9000,       false, false"})
    void pathStyleIsAutomaticForIpAddressEndpoints(String endpoint, String pathStyle, boolean expected) {
        Map<String, String> env = new HashMap<>();
        if (endpoint != null) {
            env.put("AWS_ENDPOINT_URL", endpoint);
        }
        if (pathStyle != null) {
            env.put("LIFEBOAT_S3_PATH_STYLE", pathStyle);
        }

        assertThat(S3Options.fromEnvironment(env).pathStyle()).isEqualTo(expected);
    }

    @Test
    void theS3SpecificEndpointVariableWinsOverTheGeneralOne() {
        S3Options o = S3Options.fromEnvironment(Map.of("AWS_ENDPOINT_URL", "http://1.1.1.1",
                "AWS_ENDPOINT_URL_S3", "http://2.2.2.2", "AWS_REGION", "eu-west-3"));

        assertThat(o.endpoint()).hasToString("http://2.2.2.2");
        assertThat(o.region()).isEqualTo("eu-west-3");
    }

    @Test
    void storageClassesEncryptionAndObjectLockAreRead() {
        S3Options o = S3Options.fromEnvironment(Map.of("LIFEBOAT_S3_STORAGE_CLASS_DATA", "glacier_ir",
                "LIFEBOAT_S3_SSE", "AES256", "LIFEBOAT_S3_OBJECT_LOCK_MODE", "compliance",
                "LIFEBOAT_S3_OBJECT_LOCK_DAYS", "30"));

        assertThat(o.storageClass(ObjectKind.DATA)).isEqualTo(StorageClass.GLACIER_IR);
        assertThat(o.storageClass(ObjectKind.INDEX)).isNull();
        assertThat(o.sse()).isEqualTo(ServerSideEncryption.AES256);
        assertThat(o.lockMode()).isEqualTo(ObjectLockMode.COMPLIANCE);
        assertThat(o.lockDays()).isEqualTo(30);
        assertThat(o.locks(ObjectKind.SNAPSHOT)).isTrue();
        assertThat(o.locks(ObjectKind.LOCK)).isFalse();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "LIFEBOAT_S3_PATH_STYLE | maybe | invalid value 'maybe' for LIFEBOAT_S3_PATH_STYLE",
            "LIFEBOAT_S3_ENDPOINT | ftp://x | invalid value 'ftp://x' for LIFEBOAT_S3_ENDPOINT / AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL",
            "LIFEBOAT_S3_STORAGE_CLASS_DATA | COLD | invalid value 'COLD' for LIFEBOAT_S3_STORAGE_CLASS_DATA",
            "LIFEBOAT_S3_STORAGE_CLASS_METADATA | DEEP_ARCHIVE | invalid value 'DEEP_ARCHIVE' for LIFEBOAT_S3_STORAGE_CLASS_METADATA",
            "LIFEBOAT_S3_SSE | rot13 | invalid value 'rot13' for LIFEBOAT_S3_SSE",
            "LIFEBOAT_S3_OBJECT_LOCK_MODE | forever | invalid value 'forever' for LIFEBOAT_S3_OBJECT_LOCK_MODE",
            "LIFEBOAT_S3_OBJECT_LOCK_DAYS | 0 | invalid value '0' for LIFEBOAT_S3_OBJECT_LOCK_DAYS"})
    void badValuesAreRefusedNamingTheVariable(String variable, String value, String message) {
        assertFails(() -> S3Options.fromEnvironment(Map.of(variable, value)), ErrorCode.USAGE).hasMessage(message);
    }

    @Test
    void anObjectLockModeNeedsARetentionPeriod() {
        assertFails(() -> S3Options.fromEnvironment(Map.of("LIFEBOAT_S3_OBJECT_LOCK_MODE", "governance")),
                ErrorCode.USAGE, "s3.object-lock.mode is GOVERNANCE but s3.object-lock.days is not set",
                "set s3.object-lock.days (LIFEBOAT_S3_OBJECT_LOCK_DAYS) to the retention period");
    }
}
