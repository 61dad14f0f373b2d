package io.ssegateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.SelfSignedCertificate;
import io.ssegateway.host.testkit.TestGateways;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reason for HTTP/2: a browser opens at most 6 HTTP/1.1 connections per origin, and every open
 * {@code EventSource} holds one. One page with 20 {@code EventSource}s on an HTTP/2 TLS origin gets all 20 (streams of
 * one connection); the same page on HTTP/1.1 (over the same TLS) gets 6 and the other 14 wait. The gateway's
 * self-signed certificate is trusted by its public key's hash ({@code --ignore-certificate-errors-spki-list}).
 */
class Http2BrowserTest {

    private static final int SOURCES = 20;

    @TempDir
    static Path dir;

    private static SelfSignedCertificate certificate;

    @RegisterExtension
    static final BrowserSession SESSION = new BrowserSession(Http2BrowserTest::trustingTheCertificate);

    /** Makes the gateway's certificate; Chromium trusts it by its key (the static {@code dir} is set by then). */
    private static List<String> trustingTheCertificate() throws Exception {
        certificate = SelfSignedCertificate.create(dir, "browser");
        byte[] spki = MessageDigest.getInstance("SHA-256").digest(certificate.certificate().getPublicKey().getEncoded());
        return List.of("--ignore-certificate-errors-spki-list=" + Base64.getEncoder().encodeToString(spki));
    }

    private Gateway start(boolean http2) {
        Gateway gateway = TestGateways.builder().http2(http2)
                .tlsPem(certificate.certificatePem(), certificate.keyPem()).build().start();
        SESSION.started(gateway);
        SESSION.browser().open(SESSION.pages().url("many-eventsources.html?count=" + SOURCES + "&gateway="
                + "https://127.0.0.1:" + gateway.port()));
        return gateway;
    }

    private long openSources() {
        return (Long) SESSION.browser().script("return window.opened.filter(Boolean).length;");
    }

    @SuppressWarnings("unchecked")
    private List<String> received(int source) {
        return (List<String>) SESSION.browser().script("return window.received[arguments[0]];", source);
    }

    @Test
    void twentyEventSourcesOnAnHttp2TlsOriginAllReceive() throws Exception {
        Gateway gateway = start(true);
        SESSION.browser().await(() -> openSources() == SOURCES && gateway.connections().connectionCount() == SOURCES,
                () -> "open: " + openSources() + ", subscribed: " + gateway.connections().connectionCount());
        // the 20 streams share the TCP connections: usually one, but Chromium may open a few in parallel before it
        // learns that the origin speaks HTTP/2; never more than its six per origin (where HTTP/1.1 stalls, see
        // below), plus the stats request
        int tcp = stats(gateway).get("tcp_connections").asInt();
        assertTrue(tcp >= 2 && tcp <= 7, "TCP connections carrying " + SOURCES + " streams (and the stats request): " + tcp);
        for (int i = 0; i < SOURCES; i++) {
            publish(gateway, "many-" + i, "for-" + i);
        }
        for (int i = 0; i < SOURCES; i++) {
            int source = i;
            SESSION.browser().await(() -> received(source).equals(List.of("for-" + source)),
                    () -> "source " + source + " got " + received(source));
        }
    }

    @Test
    void theSamePageOnHttp11StallsAfterSixConnections() throws Exception {
        Gateway gateway = start(false);
        SESSION.browser().await(() -> openSources() == 6 && gateway.connections().connectionCount() == 6,
                () -> "open: " + openSources() + ", subscribed: " + gateway.connections().connectionCount());
        for (int i = 0; i < SOURCES; i++) {
            publish(gateway, "many-" + i, "for-" + i);
        }
        // the six open sources receive; the fourteen others are still waiting for a connection
        SESSION.browser().await(() -> {
            int receiving = 0;
            for (int i = 0; i < SOURCES; i++) {
                receiving += received(i).isEmpty() ? 0 : 1;
            }
            return receiving == 6;
        }, () -> "receiving sources: " + java.util.stream.IntStream.range(0, SOURCES).filter(i -> !received(i).isEmpty()).count());
        assertEquals(6, openSources());
        assertEquals(6, gateway.connections().connectionCount());
    }

    private static com.fasterxml.jackson.databind.JsonNode stats(Gateway gateway) throws Exception {
        return io.ssegateway.host.testkit.Http.JSON.readTree(send(gateway, HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + gateway.port() + "/api/stats")).version(HttpClient.Version.HTTP_1_1)));
    }

    private static void publish(Gateway gateway, String channel, String data) throws Exception {
        send(gateway, HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port() + "/api/send"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"channel_id\":\"" + channel
                        + "\",\"event_type\":\"note\",\"data\":\"" + data + "\"}")));
    }

    private static String send(Gateway gateway, HttpRequest.Builder request) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(certificate.sslContext()).build();
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return response.body();
        } finally {
            client.shutdownNow();
        }
    }
}
