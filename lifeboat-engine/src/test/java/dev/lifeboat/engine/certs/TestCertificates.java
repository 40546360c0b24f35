package dev.lifeboat.engine.certs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Self-signed certificates made by the JDK's keytool, valid from a fixed start so expiry dates are exact. */
public final class TestCertificates {
    private static final DateTimeFormatter KEYTOOL_DATE =
            DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final String STORE_PASSWORD = "changeit";

    private TestCertificates() {
    }

    /**
     * Generates an EC key pair into the PKCS12 keystore and writes its certificate to {@code out}: PEM
     * ({@code -rfc}) or DER. The certificate is valid from {@code start} for {@code days} days.
     */
    public static void create(Path keystore, String alias, String subject, Instant start, int days, Path out,
                              boolean pem) throws IOException, InterruptedException {
        keytool("-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-alias", alias, "-keyalg", "EC", "-dname", subject,
                "-startdate", KEYTOOL_DATE.format(start), "-validity", Integer.toString(days));
        List<String> export = new ArrayList<>(List.of("-exportcert", "-keystore", keystore.toString(),
                "-storepass", STORE_PASSWORD, "-alias", alias, "-file", out.toString()));
        if (pem) {
            export.add("-rfc");
        }
        keytool(export.toArray(String[]::new));
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.add("-J-Duser.timezone=UTC");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TZ", "UTC");
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("keytool " + String.join(" ", args) + " failed:\n" + output);
        }
    }

    /** The SHA-256 fingerprint of DER bytes as keytool prints it: upper-case hex pairs joined by ':'. */
    public static String fingerprint(byte[] der) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DER bytes inside a PEM certificate file, decoded without any X.509 parser. */
    public static byte[] derOfPem(Path pem) throws IOException {
        String text = Files.readString(pem);
        String body = text.substring(text.indexOf("-----BEGIN CERTIFICATE-----") + 27,
                text.indexOf("-----END CERTIFICATE-----"));
        return Base64.getMimeDecoder().decode(body);
    }
}
