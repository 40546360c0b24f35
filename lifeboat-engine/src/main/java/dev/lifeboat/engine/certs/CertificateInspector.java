package dev.lifeboat.engine.certs;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Finds X.509 certificates (PEM or DER) and private keys in files of a certificates backup. */
public final class CertificateInspector {
    /** Files larger than this are not certificates worth parsing. */
    public static final long MAX_SIZE = 1024 * 1024;

    private CertificateInspector() {
    }

    /** What a snapshot records of one certificate. */
    public record CertInfo(
            @JsonProperty("path") String path,
            @JsonProperty("subject") String subject,
            @JsonProperty("issuer") String issuer,
            @JsonProperty("serial") String serial,
            @JsonProperty("notBefore") Instant notBefore,
            @JsonProperty("notAfter") Instant notAfter,
            @JsonProperty("sha256") String sha256) {
    }

    /** Every certificate in the file's content; empty when it holds none. */
    public static List<CertInfo> certificates(String path, byte[] content) {
        String text = new String(content, StandardCharsets.ISO_8859_1);
        if (!text.contains(PEM_BEGIN)) {
            return parse(path, content);
        }
        // PEM files often bundle certificates with a private key, which the JDK parser rejects: parse each block
        List<CertInfo> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int begin = text.indexOf(PEM_BEGIN, from);
            int end = begin < 0 ? -1 : text.indexOf(PEM_END, begin);
            if (end < 0) {
                return out;
            }
            from = end + PEM_END.length();
            out.addAll(parse(path, text.substring(begin, from).getBytes(StandardCharsets.ISO_8859_1)));
        }
    }

    private static final String PEM_BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String PEM_END = "-----END CERTIFICATE-----";

    private static List<CertInfo> parse(String path, byte[] content) {
        List<CertInfo> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Collection<? extends java.security.cert.Certificate> certs =
                    factory.generateCertificates(new ByteArrayInputStream(content));
            for (java.security.cert.Certificate c : certs) {
                if (c instanceof X509Certificate x) {
                    out.add(new CertInfo(path, x.getSubjectX500Principal().getName(),
                            x.getIssuerX500Principal().getName(), x.getSerialNumber().toString(16),
                            x.getNotBefore().toInstant(), x.getNotAfter().toInstant(), fingerprint(x)));
                }
            }
        } catch (CertificateException | RuntimeException e) {
            return List.of();
        }
        return out;
    }

    public static boolean isPrivateKey(byte[] content) {
        String head = new String(content, 0, Math.min(content.length, 8192), StandardCharsets.US_ASCII);
        return head.contains("-----BEGIN") && head.contains("PRIVATE KEY-----");
    }

    private static String fingerprint(X509Certificate x) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(x.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The snapshot details of a certificates backup: the certificates, the soonest expiry, key files. */
    public static Map<String, Object> details(List<CertInfo> certs, List<String> privateKeys) {
        List<CertInfo> sorted = new ArrayList<>(certs);
        sorted.sort(Comparator.comparing(CertInfo::notAfter).thenComparing(CertInfo::path));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("certificates", sorted);
        if (!sorted.isEmpty()) {
            out.put("soonestExpiry", sorted.get(0).notAfter());
            out.put("soonestExpiryPath", sorted.get(0).path());
        }
        out.put("privateKeys", privateKeys.stream().sorted().toList());
        return out;
    }
}
