package dev.lifeboat.engine.certs;

import dev.lifeboat.engine.certs.CertificateInspector.CertInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The certificates under {@code src/test/resources/certs} were made with keytool ({@code -genkeypair -keyalg EC
 * -startdate ... -validity ...}, then {@code -exportcert -rfc}); the expected values are what
 * {@code keytool -printcert} says about them.
 */
class CertificateInspectorTest {
    private static final CertInfo APP = new CertInfo("etc/ssl/app.pem",
            "CN=app.example.com,O=Lifeboat Test,C=DE", "CN=app.example.com,O=Lifeboat Test,C=DE", "d8c3e3dc72c2278c",
            Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2031-01-01T00:00:00Z"),
            "B8:A1:6B:B9:02:C6:5B:71:06:83:14:19:20:FE:37:6C:30:EC:9A:D4:7A:57:0E:75:C7:72:DD:A4:A4:4F:AB:97");
    private static final CertInfo CA = new CertInfo("etc/ssl/app.pem",
            "CN=Lifeboat Test CA,O=Lifeboat Test,C=DE", "CN=Lifeboat Test CA,O=Lifeboat Test,C=DE", "ae07200bbdecd441",
            Instant.parse("2029-06-01T12:00:00Z"), Instant.parse("2029-08-30T12:00:00Z"),
            "86:4D:B1:20:02:3E:56:AB:86:BB:54:F7:84:C8:E0:F6:7A:0C:86:9F:C5:26:29:85:92:91:5D:BB:4D:78:4E:95");

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = CertificateInspectorTest.class.getResourceAsStream("/certs/" + name)) {
            assertThat(in).as("resource certs/%s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static byte[] concat(byte[]... parts) {
        StringBuilder sb = new StringBuilder();
        for (byte[] p : parts) {
            sb.append(new String(p, StandardCharsets.US_ASCII));
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A real PKCS#8 private key in PEM, as key files and combined certificate files hold it. */
    private static byte[] privateKeyPem() throws Exception {
        byte[] der = KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate().getEncoded();
        return ("-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void pemCertificateIsDescribedBySubjectIssuerSerialValidityAndFingerprint() throws Exception {
        assertThat(CertificateInspector.certificates("etc/ssl/app.pem", resource("app.example.com.pem")))
                .containsExactly(APP);
    }

    @Test
    void derCertificateIsFoundToo() throws Exception {
        String pem = new String(resource("app.example.com.pem"), StandardCharsets.US_ASCII);
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));

        assertThat(CertificateInspector.certificates("etc/ssl/app.pem", der)).containsExactly(APP);
    }

    @Test
    void everyCertificateOfABundleIsFoundInFileOrder() throws Exception {
        byte[] bundle = concat(resource("app.example.com.pem"), resource("test-ca.pem"));

        assertThat(CertificateInspector.certificates("etc/ssl/app.pem", bundle)).containsExactly(APP, CA);
    }

    @Test
    void certificateFollowedByItsPrivateKeyInOneFileIsStillFound() throws Exception {
        byte[] combined = concat(resource("app.example.com.pem"), privateKeyPem());

        assertThat(CertificateInspector.certificates("etc/ssl/app.pem", combined)).containsExactly(APP);
        assertThat(CertificateInspector.isPrivateKey(combined)).isTrue();
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', textBlock = """
            hello, world
            -----BEGIN PUBLIC KEY-----
            not base64 at all -----END CERTIFICATE-----
            """)
    void contentWithoutACertificateYieldsNone(String text) {
        assertThat(CertificateInspector.certificates("x", text.getBytes(StandardCharsets.US_ASCII))).isEmpty();
    }

    @Test
    void emptyFileYieldsNone() {
        assertThat(CertificateInspector.certificates("x", new byte[0])).isEmpty();
        assertThat(CertificateInspector.isPrivateKey(new byte[0])).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            -----BEGIN PRIVATE KEY-----            | true
            -----BEGIN RSA PRIVATE KEY-----        | true
            -----BEGIN EC PRIVATE KEY-----         | true
            -----BEGIN ENCRYPTED PRIVATE KEY-----  | true
            -----BEGIN OPENSSH PRIVATE KEY-----    | true
            -----BEGIN PUBLIC KEY-----             | false
            -----BEGIN CERTIFICATE-----            | false
            PRIVATE KEY-----                       | false
            """)
    void privateKeyIsRecognisedByItsPemHeader(String header, boolean expected) {
        byte[] content = ("# comment\n" + header + "\nMIIE\n").getBytes(StandardCharsets.US_ASCII);

        assertThat(CertificateInspector.isPrivateKey(content)).isEqualTo(expected);
    }

    @Test
    void detailsListCertificatesBySoonestExpiryAndKeysByPath() {
        CertInfo later = new CertInfo("b.pem", "CN=b", "CN=b", "2", Instant.parse("2030-01-01T00:00:00Z"),
                Instant.parse("2031-01-01T00:00:00Z"), "BB");
        CertInfo sooner = new CertInfo("c.pem", "CN=c", "CN=c", "3", Instant.parse("2030-01-01T00:00:00Z"),
                Instant.parse("2030-06-01T00:00:00Z"), "CC");
        CertInfo sameTime = new CertInfo("a.pem", "CN=a", "CN=a", "1", Instant.parse("2030-01-01T00:00:00Z"),
                Instant.parse("2030-06-01T00:00:00Z"), "AA");

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("certificates", List.of(sameTime, sooner, later));
        expected.put("soonestExpiry", Instant.parse("2030-06-01T00:00:00Z"));
        expected.put("soonestExpiryPath", "a.pem");
        expected.put("privateKeys", List.of("a.key", "z.key"));
        assertThat(CertificateInspector.details(List.of(later, sooner, sameTime), List.of("z.key", "a.key")))
                .containsExactlyEntriesOf(expected);
    }

    @Test
    void detailsWithoutCertificatesHaveNoSoonestExpiry() {
        assertThat(CertificateInspector.details(List.of(), List.of("k.pem")))
                .containsExactly(Map.entry("certificates", List.of()), Map.entry("privateKeys", List.of("k.pem")));
    }
}
