package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.RawHttp;
import io.ssegateway.host.testkit.TestGateways;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Without an admin token the admin API is loopback-only, and that includes the {@code Host} a request names: a page
 * served from a DNS-rebinding domain reaches 127.0.0.1 but still says {@code Host: rebind.attacker.example}. Tokens
 * are compared trimmed on both sides.
 */
class AdminHostTest {

    private static final String SEND = "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":\"x\"}";
    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static RawHttp.Response get(int port, String path, String host) {
        return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", false);
    }

    @Test
    void withoutATokenAForeignHostIsRefusedEvenFromLoopback() {
        int port = gateways.start(TestGateways.builder()).port();
        for (String host : new String[] {"rebind.attacker.example:" + port, "rebind.attacker.example", "localhost.evil.example",
                "127.0.0.1.nip.io", "0.0.0.0:" + port, "10.0.0.1"}) {
            RawHttp.Response stats = get(port, "/api/stats", host);
            assertEquals(403, stats.status(), host + ": " + stats.body());
            assertTrue(stats.body().contains("loopback host"), stats.body());
            assertEquals(403, get(port, "/api/dashboard/events", host).status(), host);
            RawHttp.Response send = RawHttp.exchange(port, "POST /api/send HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + SEND.length() + "\r\nConnection: close\r\n\r\n"
                    + SEND, false);
            assertEquals(403, send.status(), host);
        }
        for (String host : new String[] {"localhost", "localhost:" + port, "127.0.0.1", "127.0.0.1:" + port, "[::1]",
                "[::1]:" + port, "LOCALHOST:80", "127.1.2.3:8080"}) {
            assertEquals(200, get(port, "/api/stats", host).status(), host);
        }
        // the public routes do not care
        assertEquals(200, get(port, "/health", "rebind.attacker.example").status());
    }

    @Test
    void withATokenAnyHostIsServed() {
        int port = gateways.start(TestGateways.builder().adminToken("s3cret")).port();
        RawHttp.Response stats = RawHttp.exchange(port, "GET /api/stats HTTP/1.1\r\nHost: gateway.example.com\r\n"
                + "Authorization: Bearer s3cret\r\nConnection: close\r\n\r\n", false);
        assertEquals(200, stats.status(), stats.body());
    }

    @Test
    void theStartUpWarningExplainsProxiesOnTheSameHost() {
        try (LogCapture log = LogCapture.of(Gateway.class)) {
            gateways.start(TestGateways.builder());
            assertTrue(log.contains("reverse proxy or sidecar"), log.messages().toString());
        }
    }

    /** {@code ADMIN_TOKEN=' s3cret\n'}: a secret with stray whitespace from a file or a shell still works. */
    @Test
    void aConfiguredTokenIsTrimmedLikeThePresentedOne() {
        int port = gateways.start(TestGateways.builder().adminToken(" s3cret \n")).port();
        assertEquals(200, Http.get(port, "/api/stats", Map.of("Authorization", "Bearer s3cret")).status());
        assertEquals(200, Http.post(port, "/api/send", "application/json", SEND,
                Map.of("Authorization", "Bearer  s3cret ")).status());
        assertEquals(401, Http.get(port, "/api/stats", Map.of("Authorization", "Bearer s3cre")).status());
    }
}
