package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.error.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.lifeboat.repo.LifeboatAssertions.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

class S3LocationTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "s3://bucket                | bucket   | ''         | config",
            "s3://bucket/               | bucket   | ''         | config",
            "s3://my.bucket-1/a/b//     | my.bucket-1 | a/b     | a/b/config",
            "s3://bkt/prod/db1          | bkt      | prod/db1   | prod/db1/config"})
    void parsesBucketAndPrefix(String location, String bucket, String prefix, String configKey) {
        S3Location l = S3Location.parse(location);

        assertThat(l.bucket()).isEqualTo(bucket);
        assertThat(l.prefix()).isEqualTo(prefix);
        assertThat(l.key("config")).isEqualTo(configKey);
        assertThat(S3Location.parse(l.toString())).isEqualTo(l);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "s3://                 | the bucket name is missing",
            "s3:///prefix          | the bucket name is missing",
            "s3://ab               | invalid bucket name 'ab'",
            "s3://Upper/x          | invalid bucket name 'Upper'",
            "s3://a..b/x           | invalid bucket name 'a..b'",
            "s3://bucket/a//b      | invalid key prefix 'a//b'",
            "s3://bucket/a b       | invalid key prefix 'a b'",
            "http://bucket         | it must start with s3://"})
    void refusesMalformedLocations(String location, String reason) {
        assertFails(() -> S3Location.parse(location), ErrorCode.USAGE,
                "invalid S3 repository location '" + location + "': " + reason,
                "write it as s3://BUCKET/PREFIX, with a bucket name of 3 to 63 lowercase letters, digits, '.' and '-', "
                        + "and a prefix of letters, digits and '._=+@-' separated by '/'");
    }
}
