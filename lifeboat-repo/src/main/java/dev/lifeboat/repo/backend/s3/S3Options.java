package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.ObjectKind;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the S3 backend talks to its bucket and what it asks the bucket to do with each object, read from
 * environment variables (the CLI puts the values of lifeboat.yml's {@code s3.*} settings under the first
 * variable of each).
 *
 * @param endpoint           a custom endpoint (MinIO, Ceph, another S3-compatible store), or null for AWS
 * @param region             the signing region
 * @param pathStyle          whether requests name the bucket in the path rather than the host name
 * @param dataStorageClass   storage class of packs, null for the bucket's default
 * @param metadataStorageClass storage class of config, keys, index and snapshots, null for the default
 * @param sse                server-side encryption, null for the bucket's default
 * @param kmsKeyId           the KMS key for {@code aws:kms} encryption, null for the account's default key
 * @param lockMode           object lock mode applied to every object but locks, null for none
 * @param lockDays           object lock retention in days (when {@code lockMode} is set)
 * @param multipartThreshold objects larger than this are uploaded in parts
 * @param partSize           the size of each part of a multipart upload
 */
public record S3Options(URI endpoint, String region, boolean pathStyle, StorageClass dataStorageClass,
                        StorageClass metadataStorageClass, ServerSideEncryption sse, String kmsKeyId,
                        ObjectLockMode lockMode, int lockDays, long multipartThreshold, int partSize) {

    public static final List<String> ENDPOINT = List.of("LIFEBOAT_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    public static final List<String> REGION = List.of("LIFEBOAT_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION");
    public static final List<String> PATH_STYLE = List.of("LIFEBOAT_S3_PATH_STYLE");
    public static final List<String> STORAGE_CLASS_DATA = List.of("LIFEBOAT_S3_STORAGE_CLASS_DATA");
    public static final List<String> STORAGE_CLASS_METADATA = List.of("LIFEBOAT_S3_STORAGE_CLASS_METADATA");
    public static final List<String> SSE = List.of("LIFEBOAT_S3_SSE");
    public static final List<String> SSE_KMS_KEY_ID = List.of("LIFEBOAT_S3_SSE_KMS_KEY_ID");
    public static final List<String> OBJECT_LOCK_MODE = List.of("LIFEBOAT_S3_OBJECT_LOCK_MODE");
    public static final List<String> OBJECT_LOCK_DAYS = List.of("LIFEBOAT_S3_OBJECT_LOCK_DAYS");
    /** The smallest part S3 accepts (except for the last part of an upload). */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    private static final String DOCS = "see docs/configuration.md";

    public S3Options {
        if (lockMode != null && lockDays <= 0) {
            throw new IllegalArgumentException("object lock retention must be at least one day");
        }
        if (partSize < MIN_PART_SIZE || multipartThreshold < partSize) {
            throw new IllegalArgumentException("parts must be at least 5 MiB and no larger than the multipart threshold");
        }
    }

    /** The options the variables in {@code env} give, with defaults for the rest. */
    public static S3Options fromEnvironment(Map<String, String> env) {
        URI endpoint = endpoint(env);
        String region = first(env, REGION);
        if (region == null) {
            region = "us-east-1";
        }
        String pathStyleText = first(env, PATH_STYLE);
        boolean pathStyle = switch (pathStyleText == null ? "auto" : pathStyleText.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> endpoint != null && isIpOrLocalhost(endpoint.getHost());
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(PATH_STYLE, pathStyleText, "use auto, true or false");
        };
        StorageClass data = storageClass(env, STORAGE_CLASS_DATA);
        StorageClass metadata = storageClass(env, STORAGE_CLASS_METADATA);
        if (metadata == StorageClass.GLACIER || metadata == StorageClass.DEEP_ARCHIVE) {
            throw invalid(STORAGE_CLASS_METADATA, metadata.toString(), "config, keys, index and snapshots are read "
                    + "by every command and cannot wait for an archive retrieval; use STANDARD or STANDARD_IA");
        }
        String sseText = first(env, SSE);
        ServerSideEncryption sse = null;
        if (sseText != null && !sseText.equalsIgnoreCase("none")) {
            sse = ServerSideEncryption.fromValue(sseText.trim());
            if (sse == ServerSideEncryption.UNKNOWN_TO_SDK_VERSION) {
                throw invalid(SSE, sseText, "use none, AES256, aws:kms or aws:kms:dsse");
            }
        }
        String kmsKeyId = first(env, SSE_KMS_KEY_ID);
        if (kmsKeyId != null && sse != ServerSideEncryption.AWS_KMS && sse != ServerSideEncryption.AWS_KMS_DSSE) {
            throw invalid(SSE_KMS_KEY_ID, kmsKeyId, "a KMS key only applies with s3.sse aws:kms or aws:kms:dsse");
        }
        String modeText = first(env, OBJECT_LOCK_MODE);
        ObjectLockMode mode = null;
        if (modeText != null && !modeText.equalsIgnoreCase("none")) {
            mode = ObjectLockMode.fromValue(modeText.trim().toUpperCase(Locale.ROOT));
            if (mode == ObjectLockMode.UNKNOWN_TO_SDK_VERSION) {
                throw invalid(OBJECT_LOCK_MODE, modeText, "use none, governance or compliance");
            }
        }
        String daysText = first(env, OBJECT_LOCK_DAYS);
        int days = 0;
        if (daysText != null) {
            try {
                days = Integer.parseInt(daysText.trim());
            } catch (NumberFormatException e) {
                days = -1;
            }
            if (days <= 0 || days > 36500) {
                throw invalid(OBJECT_LOCK_DAYS, daysText, "give a number of days from 1 to 36500");
            }
        }
        if (mode != null && days == 0) {
            throw LifeboatException.usage("s3.object-lock.mode is " + mode + " but s3.object-lock.days is not set",
                    "set s3.object-lock.days (" + OBJECT_LOCK_DAYS.get(0) + ") to the retention period");
        }
        return new S3Options(endpoint, region, pathStyle, data, metadata, sse, kmsKeyId, mode, days,
                64L * 1024 * 1024, 16 * 1024 * 1024);
    }

    /** The same options with other multipart sizes. */
    public S3Options withMultipart(long threshold, int size) {
        return new S3Options(endpoint, region, pathStyle, dataStorageClass, metadataStorageClass, sse, kmsKeyId,
                lockMode, lockDays, threshold, size);
    }

    /** The storage class to ask for an object of the kind, null for the bucket's default. */
    public StorageClass storageClass(ObjectKind kind) {
        return switch (kind) {
            case DATA -> dataStorageClass;
            case LOCK -> null;
            default -> metadataStorageClass;
        };
    }

    /** Whether objects of the kind get object lock retention: all but locks, which are deleted on release. */
    public boolean locks(ObjectKind kind) {
        return lockMode != null && kind != ObjectKind.LOCK;
    }

    private static URI endpoint(Map<String, String> env) {
        String text = first(env, ENDPOINT);
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text.trim());
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw new URISyntaxException(text, "not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw invalid(ENDPOINT, text, "give a URL such as https://s3.example.com or http://127.0.0.1:9000");
        }
    }

    private static boolean isIpOrLocalhost(String host) {
        return host.equals("localhost") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.startsWith("[");
    }

    private static StorageClass storageClass(Map<String, String> env, List<String> vars) {
        String text = first(env, vars);
        if (text == null) {
            return null;
        }
        StorageClass c = StorageClass.fromValue(text.trim().toUpperCase(Locale.ROOT));
        if (c == StorageClass.UNKNOWN_TO_SDK_VERSION) {
            throw invalid(vars, text, "use a storage class S3 knows, such as STANDARD, STANDARD_IA, "
                    + "INTELLIGENT_TIERING, GLACIER_IR or DEEP_ARCHIVE");
        }
        return c;
    }

    /** The value of the first variable set (and not blank), or null. */
    static String first(Map<String, String> env, List<String> vars) {
        for (String v : vars) {
            String value = env.get(v);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private static LifeboatException invalid(List<String> vars, String value, String hint) {
        return LifeboatException.usage("invalid value '" + value + "' for " + String.join(" / ", vars), hint
                + " (" + DOCS + ")");
    }
}
