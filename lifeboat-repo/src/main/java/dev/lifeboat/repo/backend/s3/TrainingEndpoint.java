package dev.lifeboat.repo.backend.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throwaway S3 endpoint in memory on a loopback port, for {@code lifeboat train} only: the training run
 * sends the S3 backend's requests through the real client to it, so that the startup cache records the
 * SDK's classes (an S3 command then costs about 2 s less CPU to start). It answers just what the backend
 * sends (PUT with If-None-Match, GET with a range, HEAD, DELETE, ListObjectsV2) and checks no signature:
 * it stores nothing anyone should keep.
 */
public final class TrainingEndpoint implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");
    private final HttpServer server;
    /** Objects by "bucket/key". */
    private final Map<String, byte[]> objects = new ConcurrentSkipListMap<>();

    private TrainingEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Starts an endpoint on a free loopback port. */
    public static TrainingEndpoint start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        TrainingEndpoint endpoint = new TrainingEndpoint(server);
        server.createContext("/", endpoint::handle);
        server.start();
        return endpoint;
    }

    /** The environment that points the S3 backend at this endpoint. */
    public Map<String, String> env() {
        return Map.of(S3Options.ENDPOINT.getFirst(), "http://127.0.0.1:" + server.getAddress().getPort(),
                S3Options.REGION.getFirst(), "us-east-1", S3Options.PATH_STYLE.getFirst(), "true",
                "AWS_ACCESS_KEY_ID", "lifeboat-train", "AWS_SECRET_ACCESS_KEY", "lifeboat-train");
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = URLDecoder.decode(x.getRequestURI().getRawPath(), StandardCharsets.UTF_8).substring(1);
            String query = x.getRequestURI().getRawQuery();
            if (!path.contains("/") && "GET".equals(x.getRequestMethod())) {
                list(x, path, query == null ? "" : query);
                return;
            }
            byte[] object = objects.get(path);
            switch (x.getRequestMethod()) {
                case "PUT" -> {
                    byte[] body = x.getRequestBody().readAllBytes();
                    if (object != null && "*".equals(x.getRequestHeaders().getFirst("If-None-Match"))) {
                        error(x, 412, "PreconditionFailed");
                    } else {
                        objects.put(path, body);
                        x.getResponseHeaders().set("ETag", "\"" + Integer.toHexString(path.hashCode()) + "\"");
                        x.sendResponseHeaders(200, -1);
                    }
                }
                case "GET" -> {
                    if (object == null) {
                        error(x, 404, "NoSuchKey");
                        return;
                    }
                    String range = x.getRequestHeaders().getFirst("Range");
                    Matcher m = range == null ? null : RANGE.matcher(range);
                    if (m != null && m.matches()) {
                        int from = Integer.parseInt(m.group(1));
                        int to = Math.min(Integer.parseInt(m.group(2)), object.length - 1);
                        x.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + object.length);
                        send(x, 206, object, from, to + 1 - from);
                    } else {
                        send(x, 200, object, 0, object.length);
                    }
                }
                case "HEAD" -> {
                    if (object == null) {
                        x.sendResponseHeaders(404, -1);
                    } else {
                        x.getResponseHeaders().set("Content-Length", Integer.toString(object.length));
                        x.sendResponseHeaders(200, -1);
                    }
                }
                case "DELETE" -> {
                    objects.remove(path);
                    x.sendResponseHeaders(204, -1);
                }
                default -> error(x, 405, "MethodNotAllowed");
            }
        }
    }

    /** ListObjectsV2 of the keys under a prefix, all in one page. */
    private void list(HttpExchange x, String bucket, String query) throws IOException {
        String prefix = "";
        for (String param : query.split("&")) {
            if (param.startsWith("prefix=")) {
                prefix = URLDecoder.decode(param.substring(7), StandardCharsets.UTF_8);
            }
        }
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + bucket + "</Name>"
                + "<IsTruncated>false</IsTruncated>");
        String start = bucket + "/" + prefix;
        for (Map.Entry<String, byte[]> e : objects.entrySet()) {
            if (e.getKey().startsWith(start)) {
                xml.append("<Contents><Key>").append(e.getKey().substring(bucket.length() + 1)).append("</Key><Size>")
                        .append(e.getValue().length).append("</Size></Contents>");
            }
        }
        byte[] body = xml.append("</ListBucketResult>").toString().getBytes(StandardCharsets.UTF_8);
        send(x, 200, body, 0, body.length);
    }

    private static void error(HttpExchange x, int status, String code) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + code
                + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        send(x, status, body, 0, body.length);
    }

    private static void send(HttpExchange x, int status, byte[] body, int offset, int length) throws IOException {
        x.sendResponseHeaders(status, length == 0 ? -1 : length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body, offset, length);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
