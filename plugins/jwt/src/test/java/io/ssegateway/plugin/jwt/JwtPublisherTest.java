package io.ssegateway.plugin.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Publisher tokens at {@code /api/send}: a {@code publish} claim limits a backend to its channels. */
class JwtPublisherTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static Http.Response send(Gateway gateway, String channel, Map<String, String> headers) {
        String body = "{\"channel_id\":" + (channel == null ? "null" : "\"" + channel + "\"")
                + ",\"event_type\":\"t\",\"data\":\"x\"}";
        return Http.post(gateway.port(), "/api/send", "application/json", body, headers);
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    @Test
    void aPublisherTokenLimitedToRoomsPublishesToARoomOnly() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of()).adminToken("admin-secret"));
        String rooms = Tokens.hs256(Tokens.claims("room-service").claim("publish", List.of("room-*")));
        String subscriberToken = Tokens.hs256(Tokens.claims("alice").claim("channels", List.of("room-1")));
        try (SseClient reader = SseClient.connect(gateway.port(), "/sse/connect?channel_id=room-1",
                SseClient.options().header("Authorization", "Bearer " + subscriberToken))) {
            assertEquals(200, reader.status(), reader.errorBody());
            Http.Response allowed = send(gateway, "room-1", bearer(rooms));
            assertEquals(200, allowed.status(), allowed.body());
            assertEquals("x", reader.awaitMessages(1, WAIT).get(0).data());
        }
        Http.Response refused = send(gateway, "user-1", bearer(rooms));
        assertEquals(403, refused.status());
        assertEquals("the token does not allow publishing to channel 'user-1'", refused.json().get("error").asText());
        assertEquals("user-1", refused.json().get("channel_id").asText());
        Http.Response broadcast = send(gateway, null, bearer(rooms));
        assertEquals(403, broadcast.status());
        assertTrue(broadcast.json().get("error").asText().contains("broadcasts"), broadcast.body());

        // a subscriber's token has no publish claim
        assertEquals(403, send(gateway, "room-1", bearer(subscriberToken)).status());
        // an invalid token: 401 with RFC 6750's header
        Http.Response forged = send(gateway, "room-1", bearer(Tokens.hs256("another-secret-that-is-long-enough-to-use!!",
                Tokens.claims("eve").claim("publish", List.of("*")))));
        assertEquals(401, forged.status());
        assertTrue(forged.header("WWW-Authenticate").contains("error=\"invalid_token\""));
        // the static admin token keeps working for everything
        assertEquals(200, send(gateway, "user-1", bearer("admin-secret")).status());
        assertEquals(200, send(gateway, null, bearer("admin-secret")).status());
        assertEquals(4, gateway.metrics().publishersDenied.sum());
    }

    @Test
    void everythingAndBroadcastsNeedAStar() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of("publish-claim", "sse.publish")));
        String all = Tokens.hs256(Tokens.claims("hub").claim("sse", Map.of("publish", List.of("*"))));
        assertEquals(200, send(gateway, "anything", bearer(all)).status());
        assertEquals(200, send(gateway, null, bearer(all)).status());
        String own = Tokens.hs256(Tokens.claims("alice").claim("sse", Map.of("publish", List.of("user-{sub}"))));
        assertEquals(200, send(gateway, "user-alice", bearer(own)).status());
        assertEquals(403, send(gateway, "user-bob", bearer(own)).status());
    }

    @Test
    void aCookieOrQueryTokenNeverPublishes() throws Exception {
        Gateway gateway = gateways.start(Tokens.gateway(Map.of()).adminToken("admin-secret"));
        String all = Tokens.hs256(Tokens.claims("hub").claim("publish", List.of("*")));
        assertEquals(401, send(gateway, "room-1", Map.of("Cookie", "sse_token=" + all)).status());
        assertEquals(401, Http.post(gateway.port(), "/api/send?access_token=" + all, "application/json",
                "{\"channel_id\":\"room-1\",\"event_type\":\"t\",\"data\":\"x\"}", Map.of()).status());
    }

    @Test
    void publishersCanBeSwitchedOff() throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("publishers", "false"));
        Gateway gateway = gateways.start(Tokens.gateway(config).adminToken("admin-secret"));
        String all = Tokens.hs256(Tokens.claims("hub").claim("publish", List.of("*")));
        Http.Response response = send(gateway, "room-1", bearer(all));
        assertEquals(401, response.status());
        assertEquals("invalid admin token", response.json().get("error").asText());
    }
}
