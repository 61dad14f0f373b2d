package io.ssegateway.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SelfSignedCertificate;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.StreamReader;
import io.ssegateway.host.testkit.TestGateways;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from PEM files or a PKCS#12 keystore (certificates made by keytool at test time), HTTP/2 over it by ALPN and
 * HTTP/1.1 for clients that do not offer h2, a certificate renewed on disk used without a restart, and the errors of a
 * TLS configuration that cannot work.
 */
class TlsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @TempDir
    Path dir;

    @Test
    void curlStreamsOverH2WithTlsFromPemFiles() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "pem");
        Gateway gateway = gateways.start(TestGateways.builder().tlsPem(certificate.certificatePem(), certificate.keyPem()));
        // --cacert: the handshake succeeds only with the certificate from the PEM files
        Process curl = new ProcessBuilder("curl", "-sS", "-N", "-D", "-", "--http2", "--cacert",
                certificate.certificatePem().toString(), "https://127.0.0.1:" + gateway.port() + "/sse/connect?channel_id=tls")
                .redirectErrorStream(true).start();
        try (StreamReader out = StreamReader.of(curl.getInputStream())) {
            out.awaitLine("HTTP/2 200 ", WAIT);
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 1, WAIT, out::toString);
            publish(gateway, certificate, "tls", "over-h2-tls");
            out.awaitData("over-h2-tls", WAIT);
        } finally {
            curl.destroy();
            curl.waitFor(10, TimeUnit.SECONDS);
        }
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, WAIT, () -> "still subscribed");
    }

    @Test
    void javaClientsGetH2ByAlpnOrHttp11OverTlsFromAKeystore() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "p12");
        Gateway gateway = gateways.start(TestGateways.builder()
                .tlsKeystore(certificate.keystore(), SelfSignedCertificate.PASSPHRASE));
        for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            HttpClient client = HttpClient.newBuilder().version(version).sslContext(certificate.sslContext()).build();
            try {
                HttpResponse<InputStream> response = client.send(request(gateway, "/sse/connect?channel_id=p12-" + version),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, response.statusCode());
                assertEquals(version, response.version());
                StreamReader events = StreamReader.of(response.body());
                SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 1, WAIT, events::toString);
                publish(gateway, certificate, "p12-" + version, "hello-" + version);
                events.awaitData("hello-" + version, WAIT);
                events.close();
            } finally {
                client.shutdownNow();
            }
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, WAIT, () -> "still subscribed");
        }
    }

    @Test
    void aRenewedCertificateIsUsedForNewConnectionsWithoutARestart() throws Exception {
        SelfSignedCertificate first = SelfSignedCertificate.create(dir, "first");
        SelfSignedCertificate second = SelfSignedCertificate.create(dir, "second");
        Path cert = dir.resolve("live-cert.pem");
        Path key = dir.resolve("live-key.pem");
        Files.copy(first.certificatePem(), cert);
        Files.copy(first.keyPem(), key);
        Gateway gateway = gateways.start(TestGateways.builder().tlsPem(cert, key)
                .tlsReloadInterval(Duration.ofMillis(200)));
        assertEquals(200, get(gateway, first, "/health").statusCode());
        assertThrows(SSLHandshakeException.class, () -> get(gateway, second, "/health"));

        // the renewal: both files replaced (a later modification time, as a real renewal has)
        Files.copy(second.certificatePem(), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(second.keyPem(), key, StandardCopyOption.REPLACE_EXISTING);
        FileTime later = FileTime.from(Instant.now().plusSeconds(5));
        Files.setLastModifiedTime(cert, later);
        Files.setLastModifiedTime(key, later);
        SseClient.awaitCondition(() -> handshakes(gateway, second), WAIT, () -> "the renewed certificate is not served");
        assertThrows(SSLHandshakeException.class, () -> get(gateway, first, "/health"));
    }

    @Test
    void aTlsConfigurationThatCannotWorkStopsTheBuildNamingTheProblem() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "bad");
        IllegalStateException onlyCert = assertThrows(IllegalStateException.class,
                () -> TestGateways.builder().tlsCert(certificate.certificatePem()).build());
        assertTrue(onlyCert.getMessage().contains("server.tls.key"), onlyCert.getMessage());

        IllegalStateException both = assertThrows(IllegalStateException.class, () -> TestGateways.builder()
                .tlsPem(certificate.certificatePem(), certificate.keyPem())
                .tlsKeystore(certificate.keystore(), SelfSignedCertificate.PASSPHRASE).build());
        assertTrue(both.getMessage().contains("not both"), both.getMessage());

        Path missing = dir.resolve("missing.pem");
        IllegalStateException absent = assertThrows(IllegalStateException.class,
                () -> TestGateways.builder().tlsPem(missing, certificate.keyPem()).build());
        assertTrue(absent.getMessage().contains(missing + " is not a readable file"), absent.getMessage());

        IllegalStateException swapped = assertThrows(IllegalStateException.class,
                () -> TestGateways.builder().tlsPem(certificate.keyPem(), certificate.certificatePem()).build());
        assertTrue(swapped.getMessage().contains("cannot read the TLS PEM certificate"), swapped.getMessage());

        IllegalStateException passphrase = assertThrows(IllegalStateException.class, () -> TestGateways.builder()
                .tlsKeystore(certificate.keystore(), "wrong").build());
        assertTrue(passphrase.getMessage().contains("server.tls.keystore-passphrase"), passphrase.getMessage());
    }

    private static boolean handshakes(Gateway gateway, SelfSignedCertificate trusted) {
        try {
            return get(gateway, trusted, "/health").statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static HttpResponse<String> get(Gateway gateway, SelfSignedCertificate trusted, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusted.sslContext()).build();
        try {
            return client.send(request(gateway, path), HttpResponse.BodyHandlers.ofString());
        } finally {
            client.shutdownNow();
        }
    }

    private static void publish(Gateway gateway, SelfSignedCertificate trusted, String channel, String data) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trusted.sslContext()).build();
        try {
            String body = Http.JSON.createObjectNode().put("channel_id", channel).put("event_type", "note")
                    .put("data", data).toString();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + gateway.port() + "/api/send"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
        } finally {
            client.shutdownNow();
        }
    }

    private static HttpRequest request(Gateway gateway, String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(30)).build();
    }
}
