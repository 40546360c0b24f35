package dev.lifeboat.repo.backend.s3;

import dev.lifeboat.error.ErrorCode;
import dev.lifeboat.error.LifeboatException;
import dev.lifeboat.repo.backend.Backend;
import dev.lifeboat.repo.backend.ObjectInfo;
import dev.lifeboat.repo.backend.ObjectKind;
import dev.lifeboat.repo.backend.ObjectName;
import dev.lifeboat.repo.backend.ObjectNotFoundException;
import dev.lifeboat.repo.backend.Retention;
import org.apache.http.HttpHost;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.protocol.HttpContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * A repository under a prefix of an S3 bucket ({@code s3://bucket/prefix}), on AWS or any S3-compatible
 * store.
 *
 * <p>A PUT is atomic in S3 (readers see the old object, or none, or the whole new one), and so is
 * completing a multipart upload, which objects above {@link S3Options#multipartThreshold()} use.
 * {@link #create} sends {@code If-None-Match: *}, which makes it atomic on AWS S3, MinIO and S3Proxy's
 * file-system stores; on a server that answers 501 Not Implemented it falls back to HEAD then PUT for the
 * rest of the session, which two writers racing within the same instant can both pass (only two
 * concurrent {@code init}s of one location could, and {@code create} is used for nothing else that
 * matters). The SDK's own retries are off: {@link dev.lifeboat.repo.backend.RetryingBackend} is the one
 * place that retries.
 */
public final class S3Backend implements Backend {
    private final S3Client s3;
    private final S3Location where;
    private final S3Options options;
    private volatile boolean conditionalWrites = true;

    public S3Backend(S3Client s3, S3Location where, S3Options options) {
        this.s3 = s3;
        this.where = where;
        this.options = options;
    }

    /** The backend for the location, with a client configured from the environment variables. */
    public static S3Backend open(S3Location where, Map<String, String> env) {
        S3Options options = S3Options.fromEnvironment(env);
        return new S3Backend(clientBuilder(options, env).build(), where, options);
    }

    /**
     * A builder of S3 clients for the options: credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
     * AWS_SESSION_TOKEN or AWS_PROFILE when given in {@code env}, else the SDK's default chain (profile
     * files, SSO, web identity, container and instance roles).
     */
    public static S3ClientBuilder clientBuilder(S3Options options, Map<String, String> env) {
        // Expect: 100-continue is off: after an empty PUT with it, S3Proxy (Jetty) drops the kept-alive
        // connection and the next request on it fails; without it a refused upload costs one body sent
        ApacheHttpClient.Builder http = ApacheHttpClient.builder()
                .maxConnections(32)
                .expectContinueEnabled(false)
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60));
        if (options.endpoint() != null && "http".equals(options.endpoint().getScheme())) {
            // the default TLS factory loads the trust store and the public suffix list when the client is built
            http.socketFactory(NoTlsSocketFactory.INSTANCE);
        }
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(http)
                .region(Region.of(options.region()))
                .credentialsProvider(credentials(env))
                .forcePathStyle(options.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                // Over plain http the SDK always signs the payload; chunked, it signs and copies every 128 KiB
                // chunk and the server checks each; whole, it hashes the body (read again from the array) once
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (options.endpoint() != null) {
            b.endpointOverride(options.endpoint());
        }
        return b;
    }

    /** The TLS socket factory of a client whose endpoint is plain http, which never opens a TLS connection. */
    private static final class NoTlsSocketFactory implements ConnectionSocketFactory {
        static final NoTlsSocketFactory INSTANCE = new NoTlsSocketFactory();

        @Override
        public Socket createSocket(HttpContext context) throws IOException {
            throw new IOException("TLS is not set up for a plain http endpoint");
        }

        @Override
        public Socket connectSocket(int connectTimeout, Socket socket, HttpHost host, InetSocketAddress remoteAddress,
                                    InetSocketAddress localAddress, HttpContext context) throws IOException {
            throw new IOException("TLS is not set up for a plain http endpoint");
        }
    }

    private static AwsCredentialsProvider credentials(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id != null && !id.isEmpty() && secret != null && !secret.isEmpty()) {
            String token = env.get("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(token == null || token.isEmpty()
                    ? AwsBasicCredentials.create(id, secret) : AwsSessionCredentials.create(id, secret, token));
        }
        String profile = env.get("AWS_PROFILE");
        if (profile != null && !profile.isEmpty()) {
            return ProfileCredentialsProvider.create(profile);
        }
        return DefaultCredentialsProvider.builder().build();
    }

    public S3Options options() {
        return options;
    }

    @Override
    public String location() {
        return where.toString();
    }

    private String key(ObjectName name) {
        return where.key(name.path());
    }

    @Override
    public void put(ObjectName name, byte[] data) {
        try {
            if (data.length > options.multipartThreshold()) {
                putMultipart(name, data);
            } else {
                s3.putObject(putRequest(name, data).build(), body(data, 0, data.length));
            }
        } catch (SdkException e) {
            throw failure("write", name, e);
        }
    }

    /**
     * Uploads a spool file straight from disk (a pack costs no heap), with its CRC32 computed by a first
     * read of the file; objects above the multipart threshold go through {@link #put}.
     */
    @Override
    public void putFile(ObjectName name, Path file) {
        long size;
        String crc;
        try {
            size = Files.size(file);
            if (size > options.multipartThreshold()) {
                put(name, Backend.readSpool(file));
                return;
            }
            crc = crc32(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool file '" + file + "': " + e.getMessage(), e);
        }
        try {
            s3.putObject(putRequest(name, size, crc).build(), RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw failure("write", name, e);
        }
    }

    private static String crc32(Path file) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocate(1024 * 1024);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf.clear()) >= 0) {
                crc.update(buf.flip());
            }
        }
        return crc32Base64(crc);
    }

    private PutObjectRequest.Builder putRequest(ObjectName name, byte[] data) {
        return putRequest(name, data.length, crc32(data, 0, data.length));
    }

    /**
     * A PUT of the whole object with its CRC32 in a header, so that the server rejects a body damaged in
     * transit (and object lock, which demands a checksum, is satisfied) without the chunked trailer
     * encoding some S3-compatible servers mishandle.
     */
    private PutObjectRequest.Builder putRequest(ObjectName name, long length, String crc32) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(where.bucket()).key(key(name))
                .contentLength(length).checksumCRC32(crc32)
                .storageClass(options.storageClass(name.kind()))
                .serverSideEncryption(options.sse()).ssekmsKeyId(options.kmsKeyId());
        if (options.locks(name.kind())) {
            b.objectLockMode(options.lockMode()).objectLockRetainUntilDate(retainUntil());
        }
        return b;
    }

    private Instant retainUntil() {
        return Instant.now().plus(options.lockDays(), ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    }

    /** Uploads in parts of {@link S3Options#partSize()}; the object appears when the upload completes. */
    private void putMultipart(ObjectName name, byte[] data) {
        String key = key(name);
        String uploadId = s3.createMultipartUpload(b -> {
            b.bucket(where.bucket()).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32)
                    .storageClass(options.storageClass(name.kind()))
                    .serverSideEncryption(options.sse()).ssekmsKeyId(options.kmsKeyId());
            if (options.locks(name.kind())) {
                b.objectLockMode(options.lockMode()).objectLockRetainUntilDate(retainUntil());
            }
        }).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (int offset = 0, number = 1; offset < data.length; offset += options.partSize(), number++) {
                int n = Math.min(options.partSize(), data.length - offset);
                int part = number;
                String crc = crc32(data, offset, n);
                UploadPartResponse r = s3.uploadPart(b -> b.bucket(where.bucket()).key(key).uploadId(uploadId)
                        .partNumber(part).contentLength((long) n).checksumCRC32(crc),
                        body(data, offset, n));
                parts.add(CompletedPart.builder().partNumber(part).eTag(r.eTag()).checksumCRC32(r.checksumCRC32())
                        .build());
            }
            s3.completeMultipartUpload(b -> b.bucket(where.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (SdkException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(where.bucket()).key(key).uploadId(uploadId));
            } catch (SdkException ignored) {
                // an upload left behind is invisible to readers; a bucket lifecycle rule removes it
            }
            throw e;
        }
    }

    private static String crc32(byte[] data, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, offset, length);
        return crc32Base64(crc);
    }

    private static String crc32Base64(CRC32 crc) {
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static RequestBody body(byte[] data, int offset, int length) {
        return RequestBody.fromContentProvider(
                ContentStreamProvider.fromInputStreamSupplier(() -> new ByteArrayInputStream(data, offset, length)),
                length, "application/octet-stream");
    }

    @Override
    public boolean create(ObjectName name, byte[] data) {
        if (exists(name)) {
            return false;
        }
        try {
            if (conditionalWrites) {
                try {
                    s3.putObject(putRequest(name, data).ifNoneMatch("*").build(), body(data, 0, data.length));
                    return true;
                } catch (S3Exception e) {
                    if (e.statusCode() == 412) {
                        return false;
                    }
                    if (e.statusCode() != 501) {
                        throw e;
                    }
                    conditionalWrites = false;
                }
            }
            s3.putObject(putRequest(name, data).build(), body(data, 0, data.length));
            return true;
        } catch (SdkException e) {
            throw failure("write", name, e);
        }
    }

    /** Whether the server honoured conditional writes so far (false once it answered 501 to one). */
    public boolean conditionalWrites() {
        return conditionalWrites;
    }

    @Override
    public byte[] get(ObjectName name) {
        try {
            ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(b -> b.bucket(where.bucket()).key(key(name)));
            byte[] bytes = r.asByteArrayUnsafe();
            Long expected = r.response().contentLength();
            if (expected != null && expected != bytes.length) {
                throw truncated(name, bytes.length, expected);
            }
            return bytes;
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(name);
        } catch (SdkException e) {
            throw failure("read", name, e);
        }
    }

    @Override
    public byte[] getRange(ObjectName name, long offset, int length) {
        byte[] bytes = new byte[length];
        readRange(name, offset, length, bytes);
        return bytes;
    }

    /** Streams the range from the response into {@code into}, with no copy of its own. */
    @Override
    public void readRange(ObjectName name, long offset, int length, byte[] into, int at) {
        if (offset < 0 || length < 0) {
            throw outOfRange(name, offset, length, size(name));
        }
        if (length == 0) {
            long size = size(name);
            if (offset > size) {
                throw outOfRange(name, offset, length, size);
            }
            return;
        }
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(where.bucket()).key(key(name))
                .range("bytes=" + offset + "-" + (offset + length - 1)))) {
            int got = in.readNBytes(into, at, length);
            Long sent = in.response().contentLength();
            if (sent != null && got < Math.min(sent, length)) {
                throw truncated(name, got, sent);
            }
            if (got != length || sent != null && sent != length) {
                throw outOfRange(name, offset, length, totalSize(in.response(), name));
            }
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(name);
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                throw outOfRange(name, offset, length, size(name));
            }
            throw failure("read", name, e);
        } catch (SdkException e) {
            throw failure("read", name, e);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.STORAGE_TRANSIENT, "cannot read '" + name + "' in repository '"
                    + where + "': " + e.getMessage(), null, e);
        }
    }

    private long totalSize(GetObjectResponse r, ObjectName name) {
        String range = r.contentRange();
        if (range != null && range.contains("/") && !range.endsWith("*")) {
            return Long.parseLong(range.substring(range.lastIndexOf('/') + 1).trim());
        }
        return size(name);
    }

    private static LifeboatException outOfRange(ObjectName name, long offset, int length, long size) {
        return new LifeboatException(ErrorCode.INTEGRITY, "range " + offset + "+" + length + " is outside '"
                + name + "' of " + size + " bytes", "run 'lifeboat check' to find damaged objects");
    }

    private LifeboatException truncated(ObjectName name, long got, long expected) {
        return new LifeboatException(ErrorCode.STORAGE_TRANSIENT, "cannot read '" + name + "' in repository '"
                + where + "': the response ended after " + got + " of " + expected + " bytes", null);
    }

    @Override
    public boolean exists(ObjectName name) {
        return head(name) != null;
    }

    @Override
    public long size(ObjectName name) {
        HeadObjectResponse r = head(name);
        if (r == null) {
            throw new ObjectNotFoundException(name);
        }
        return r.contentLength();
    }

    /** The object's metadata, or null when it does not exist. */
    private HeadObjectResponse head(ObjectName name) {
        try {
            return s3.headObject(b -> b.bucket(where.bucket()).key(key(name)));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (SdkException e) {
            throw failure("read", name, e);
        }
    }

    @Override
    public Retention retention(ObjectName name) {
        HeadObjectResponse r = head(name);
        if (r == null) {
            throw new ObjectNotFoundException(name);
        }
        return r.objectLockMode() == null ? Retention.NONE
                : new Retention(r.objectLockModeAsString(), r.objectLockRetainUntilDate());
    }

    @Override
    public void delete(ObjectName name) {
        try {
            s3.deleteObject(b -> b.bucket(where.bucket()).key(key(name)));
        } catch (SdkException e) {
            throw failure("delete", name, e);
        }
    }

    @Override
    public void list(ObjectKind kind, Consumer<ObjectInfo> each) {
        if (kind == ObjectKind.CONFIG) {
            HeadObjectResponse config = head(ObjectName.CONFIG);
            if (config != null) {
                each.accept(new ObjectInfo(ObjectName.CONFIG, config.contentLength()));
            }
            return;
        }
        String folder = where.root() + kind.folder() + "/";
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(where.bucket()).prefix(folder)).contents()) {
                ObjectName name = nameOf(kind, o.key().substring(folder.length()));
                if (name != null) {
                    each.accept(new ObjectInfo(name, o.size()));
                }
            }
        } catch (SdkException e) {
            throw failure("list", kind.folder() + "/", e);
        }
    }

    /** The object a key under the kind's folder names, or null when it is not one Lifeboat writes. */
    private static ObjectName nameOf(ObjectKind kind, String relative) {
        String fileName = relative;
        if (kind.fannedOut()) {
            int slash = relative.indexOf('/');
            if (slash != 2) {
                return null;
            }
            fileName = relative.substring(3);
            if (!fileName.startsWith(relative.substring(0, 2))) {
                return null;
            }
        }
        if (fileName.contains("/") || fileName.startsWith(".tmp-")) {
            return null;
        }
        try {
            return new ObjectName(kind, fileName);
        } catch (IllegalArgumentException foreign) {
            return null;
        }
    }

    /**
     * Maps an SDK failure to the error a user sees: throttling, server errors, timeouts and broken
     * connections are transient; missing buckets, refused credentials and bad requests are permanent.
     */
    private LifeboatException failure(String action, Object what, SdkException e) {
        String prefix = "cannot " + action + " '" + what + "' in repository '" + where + "': ";
        if (e instanceof S3Exception s3e) {
            int status = s3e.statusCode();
            String code = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
            String message = s3e.awsErrorDetails() == null || s3e.awsErrorDetails().errorMessage() == null
                    ? "HTTP " + status : s3e.awsErrorDetails().errorMessage();
            String reason = (code == null ? "" : code + ": ") + message;
            if ("NoSuchBucket".equals(code)) {
                return new LifeboatException(ErrorCode.STORAGE_PERMANENT, prefix + "bucket '" + where.bucket()
                        + "' does not exist", "create the bucket, or check the repository location, s3.endpoint "
                        + "and s3.region", e);
            }
            if (status == 403 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
                return new LifeboatException(ErrorCode.STORAGE_PERMANENT, prefix + "access denied (" + reason + ")",
                        "check the credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE or the instance role) and the bucket "
                                + "policy; objects under object lock retention cannot be deleted or replaced", e);
            }
            if (status == 301 || "AuthorizationHeaderMalformed".equals(code) || "PermanentRedirect".equals(code)) {
                return new LifeboatException(ErrorCode.STORAGE_PERMANENT, prefix + "the bucket is in another region ("
                        + reason + ")", "set s3.region (AWS_REGION) to the bucket's region", e);
            }
            boolean transientStatus = status == 408 || status == 429 || status >= 500 && status != 501
                    || status == 409 || "RequestTimeout".equals(code) || "SlowDown".equals(code);
            return new LifeboatException(transientStatus ? ErrorCode.STORAGE_TRANSIENT : ErrorCode.STORAGE_PERMANENT,
                    prefix + reason, transientStatus ? null : "the storage refused the request; check the "
                    + "repository location and the s3.* settings", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException unknown) {
                return unknownHost(prefix, unknown, e);
            }
        }
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                .orElse("");
        if (e instanceof SdkClientException && reason.contains("Unable to load credentials")) {
            return new LifeboatException(ErrorCode.STORAGE_PERMANENT, prefix + "no AWS credentials were found",
                    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run on a host with a role",
                    e);
        }
        return new LifeboatException(ErrorCode.STORAGE_TRANSIENT, prefix + reason, null, e);
    }

    /**
     * A host name that does not resolve. The resolver's answer that the name does not exist (glibc: "Name or
     * service not known") is a wrong endpoint, region or bucket name and fails at once, where retrying for two
     * minutes helped nobody; any other failure to resolve (a resolver out of reach: "Temporary failure in name
     * resolution") is retried like a broken connection.
     */
    private static LifeboatException unknownHost(String prefix, UnknownHostException unknown, SdkException e) {
        String detail = unknown.getMessage() == null ? "unknown host" : unknown.getMessage();
        boolean noSuchName = detail.contains("Name or service not known") || detail.contains("No address associated")
                || detail.contains("nodename nor servname provided");
        if (noSuchName) {
            return new LifeboatException(ErrorCode.STORAGE_PERMANENT, prefix + "the storage host does not exist ("
                    + detail + ")", "check s3.endpoint (LIFEBOAT_S3_ENDPOINT, AWS_ENDPOINT_URL), s3.region "
                    + "(AWS_REGION) and the bucket name; a store that takes the bucket in the path, not in the host "
                    + "name, needs s3.path-style true (LIFEBOAT_S3_PATH_STYLE)", e);
        }
        return new LifeboatException(ErrorCode.STORAGE_TRANSIENT, prefix + "cannot resolve the storage host ("
                + detail + ")", null, e);
    }

    @Override
    public void close() {
        s3.close();
    }
}
