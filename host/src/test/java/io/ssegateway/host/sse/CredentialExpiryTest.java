package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Identity;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** No stream outlives its credential: the gateway ends it at {@code Identity.expiresAt}, whatever the authenticator. */
class CredentialExpiryTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    /** An authenticator whose clients' credentials expire after the number of milliseconds in their {@code ttl} query. */
    private Gateway gatewayWithTtls() {
        return gateways.start(TestGateways.builder().auth(request -> {
            long ttl = Long.parseLong(request.queryParam("ttl").orElse("-1"));
            Instant expiresAt = ttl < 0 ? null : Instant.now().plusMillis(ttl);
            return AuthResult.allow(new Identity(request.queryParam("who").orElse(null), expiresAt, Map.of()));
        }));
    }

    private static SseClient subscribe(Gateway gateway, String channel, String who, long ttlMillis) throws Exception {
        SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=" + channel + "&who=" + who
                + (ttlMillis < 0 ? "" : "&ttl=" + ttlMillis), SseClient.options());
        assertEquals(200, client.status(), client.errorBody());
        return client;
    }

    @Test
    void aStreamEndsAtItsExpiryWithAnExpiredEventAndIsCounted() throws Exception {
        Gateway gateway = gatewayWithTtls();
        // the first publish of a JVM is slow (class loading): not while the short credential runs
        Http.publish(gateway.port(), "warm-up", "news", "x");
        Logger logger = Logger.getLogger(CredentialExpiry.class.getName());
        Level before = logger.getLevel();
        logger.setLevel(Level.FINE);
        try (LogCapture log = LogCapture.of(CredentialExpiry.class);
             SseClient forever = subscribe(gateway, "room", "bob", -1);
             SseClient client = subscribe(gateway, "room", "alice", 2000)) {
            Instant connected = Instant.now();
            Http.publish(gateway.port(), "room", "news", "before expiry");
            assertEquals("before expiry", client.awaitMessages(1, WAIT).get(0).data());

            client.awaitEnd(WAIT);
            Duration lived = Duration.between(connected, Instant.now());
            assertTrue(lived.compareTo(Duration.ofMillis(1800)) >= 0, "ended too early, after " + lived);
            SseClient.Event last = client.messages().get(client.messages().size() - 1);
            assertEquals("expired", last.type());
            assertTrue(last.data().matches("\\{\"expired_at\":\"\\d{4}-.+Z\"}"), last.data());
            // counted by the expiry thread right after it closed the stream: the client may see the end first
            SseClient.awaitCondition(() -> gateway.metrics().connectionsExpired.sum() == 1, WAIT,
                    () -> "expired: " + gateway.metrics().connectionsExpired.sum());
            assertTrue(Http.get(gateway.port(), "/metrics").body().contains("sse_connections_expired_total 1"));
            SseClient.awaitCondition(() -> log.contains("subject 'alice': its credential expired at"), WAIT,
                    () -> "no FINE line: " + log.messages());

            // a credential without expiry keeps its stream
            assertFalse(forever.ended());
            Http.publish(gateway.port(), "room", "news", "after expiry");
            forever.awaitEvent(event -> "after expiry".equals(event.data()), WAIT);
            assertEquals(1, gateway.connections().connectionCount());
        } finally {
            logger.setLevel(before);
        }
    }

    @Test
    void aSoonerExpiryWakesTheQueueThatWaitsForALaterOne() throws Exception {
        Gateway gateway = gatewayWithTtls();
        try (SseClient later = subscribe(gateway, "a", "later", 600_000);
             SseClient sooner = subscribe(gateway, "b", "sooner", 300)) {
            sooner.awaitEnd(WAIT);
            assertEquals("expired", sooner.messages().get(sooner.messages().size() - 1).type());
            assertFalse(later.ended());
            assertEquals(1, gateway.connections().connectionCount());
        }
    }

    @Test
    void anIdentityThatHasAlreadyExpiredIsRefused() throws Exception {
        Gateway gateway = gatewayWithTtls();
        SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c&who=late&ttl=0",
                SseClient.options());
        assertEquals(401, client.status());
        assertEquals("{\"error\":\"the credential has expired\"}", client.errorBody());
        assertEquals(0, gateway.metrics().connectionsOpened.sum());
    }

    @Test
    void manyStreamsEndInTheOrderOfTheirExpiry() throws Exception {
        Gateway gateway = gatewayWithTtls();
        int count = 20;
        SseClient[] clients = new SseClient[count];
        try {
            for (int i = 0; i < count; i++) {
                // given in reverse: the last one opened expires first
                clients[i] = subscribe(gateway, "c" + i, "u" + i, 400 + 40L * (count - i));
            }
            SseClient.awaitCondition(() -> gateway.metrics().connectionsExpired.sum() == count, WAIT,
                    () -> gateway.metrics().connectionsExpired.sum() + " of " + count + " expired");
            for (SseClient client : clients) {
                client.awaitEnd(WAIT);
                assertEquals("expired", client.messages().get(client.messages().size() - 1).type());
            }
        } finally {
            for (SseClient client : clients) {
                if (client != null) {
                    client.close();
                }
            }
        }
    }
}
