package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Routing, headers, heartbeats, keep-alives, validation and CORS of {@code /sse/connect}. */
class StreamTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final Gateways gateways = new Gateways();
    private Gateway gateway;


    @Test
    void channelsAreIsolated() throws Exception {
        gateway = gateways.start();
        try (SseClient alice = SseClient.subscribe(gateway.port(), "alice");
             SseClient bob = SseClient.subscribe(gateway.port(), "bob")) {
            Http.publish(gateway.port(), "alice", "note", "for alice");
            Http.publish(gateway.port(), "bob", "note", "for bob");
            assertEquals("for alice", alice.awaitMessages(1, WAIT).get(0).data());
            assertEquals("for bob", bob.awaitMessages(1, WAIT).get(0).data());
            Http.publish(gateway.port(), "bob", "note", "marker");
            bob.awaitMessages(2, WAIT);
            assertEquals(1, alice.messages().size(), "alice got another channel's event: " + alice.messages());
        }
    }

    @Test
    void broadcastReachesEveryChannelWithoutAnId() throws Exception {
        gateway = gateways.start();
        try (SseClient alice = SseClient.subscribe(gateway.port(), "alice");
             SseClient bob = SseClient.subscribe(gateway.port(), "bob")) {
            String id = Http.publish(gateway.port(), "alice", "note", "stored");
            Http.Response response = Http.sendText(gateway.port(), null, "announce", "to everyone");
            assertEquals(200, response.status());
            assertEquals(2, response.json().get("sent_count").asInt());
            assertTrue(response.json().get("stream_id").isNull());
            SseClient.Event toBob = bob.awaitMessages(1, WAIT).get(0);
            assertEquals("announce", toBob.type());
            assertNull(toBob.id(), "a broadcast must not carry an id");
            List<SseClient.Event> aliceEvents = alice.awaitMessages(2, WAIT);
            assertEquals("to everyone", aliceEvents.get(1).data());
            assertNull(aliceEvents.get(1).id());
            assertEquals(id, alice.lastEventId(), "a broadcast must not move Last-Event-ID");
        }
    }

    @Test
    void heartbeatsCarryATimestampAndNoId() throws Exception {
        gateway = gateways.start(TestGateways.builder().heartbeatInterval(Duration.ofMillis(150)));
        try (SseClient client = SseClient.subscribe(gateway.port(), "hb")) {
            String id = Http.publish(gateway.port(), "hb", "note", "before");
            client.awaitMessages(1, WAIT);
            long before = System.currentTimeMillis();
            SseClient.Event heartbeat = client.awaitEvent(e -> e.type().equals("heartbeat"), WAIT);
            assertNull(heartbeat.id());
            assertTrue(heartbeat.data().matches("\\{\"ts\":\\d{13}}"), heartbeat.data());
            long ts = Long.parseLong(heartbeat.data().replaceAll("\\D", ""));
            assertTrue(Math.abs(ts - before) < 5_000, "ts " + ts + " far from now " + before);
            assertEquals(id, heartbeat.lastEventId(), "a heartbeat must not move Last-Event-ID");
        }
    }

    @Test
    void idleConnectionsGetKeepAliveComments() throws Exception {
        gateway = gateways.start(TestGateways.builder().heartbeatInterval(Duration.ZERO).keepAliveInterval(Duration.ofMillis(100)));
        try (SseClient client = SseClient.subscribe(gateway.port(), "idle")) {
            SseClient.awaitCondition(() -> client.comments().size() >= 2, WAIT, () -> "comments: " + client.comments());
            assertEquals("keep-alive", client.comments().get(0));
            assertTrue(client.events().isEmpty(), "heartbeats are disabled: " + client.events());
        }
    }

    @Test
    void streamHeadersAndRetryWithJitter() throws Exception {
        gateway = gateways.start(TestGateways.builder().retry(Duration.ofMillis(2000)).retryJitter(Duration.ofMillis(500)));
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=h",
                SseClient.options().header("Accept", "text/html"))) {
            assertEquals(200, client.status());
            assertEquals("text/event-stream; charset=utf-8", client.header("content-type"));
            assertEquals("no-cache", client.header("cache-control"));
            assertEquals("no", client.header("x-accel-buffering"));
            assertEquals("*", client.header("access-control-allow-origin"));
            SseClient.awaitCondition(() -> client.retryMillis() != null, WAIT, () -> "no retry line");
            assertTrue(client.retryMillis() >= 2000 && client.retryMillis() <= 2500, "retry " + client.retryMillis());
        }
    }

    @Test
    void invalidChannelIdsAreRefusedBeforeAuth() throws Exception {
        gateway = gateways.start(TestGateways.builder()
                .auth(request -> {
                    throw new AssertionError("auth must not run for an invalid channel id");
                })
                );
        for (String query : List.of("", "?channel_id=", "?channel_id=" + "a".repeat(257), "?channel_id=a%0Ab",
                "?channel_id=%C3%A9" + "e".repeat(255))) {
            SseClient client = SseClient.connect(gateway.port(), "/sse/connect" + query, SseClient.options());
            assertEquals(400, client.status(), query);
            assertNotNull(Http.JSON.readTree(client.errorBody()).get("error"), client.errorBody());
        }
    }

    @Test
    void longestValidChannelIdIsAccepted() throws Exception {
        gateway = gateways.start();
        String channel = "é".repeat(128);
        try (SseClient client = SseClient.subscribe(gateway.port(), channel)) {
            assertEquals(200, client.status());
            Http.publish(gateway.port(), channel, "note", "ok");
            assertEquals("ok", client.awaitMessages(1, WAIT).get(0).data());
        }
    }

    @Test
    void allowedOriginsAreEchoedWithCredentials() throws Exception {
        gateway = gateways.start(TestGateways.builder().corsAllowedOrigins(List.of("https://app.example")));
        try (SseClient allowed = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().header("Origin", "https://app.example"));
             SseClient other = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                     SseClient.options().header("Origin", "https://evil.example"))) {
            assertEquals("https://app.example", allowed.header("access-control-allow-origin"));
            assertEquals("true", allowed.header("access-control-allow-credentials"));
            assertNull(other.header("access-control-allow-origin"));
        }
        Http.Response preflight = Http.options(gateway.port(), "/sse/connect?channel_id=c",
                Map.of("Origin", "https://app.example", "Access-Control-Request-Headers", "last-event-id"));
        assertEquals(204, preflight.status());
        assertEquals("https://app.example", preflight.header("access-control-allow-origin"));
        assertTrue(preflight.header("access-control-allow-headers").contains("Last-Event-ID"));
    }

    @Test
    void wrongMethodsAndUnknownRoutesAnswerJson() {
        gateway = gateways.start();
        Http.Response post = Http.post(gateway.port(), "/sse/connect?channel_id=x", "text/plain", "", Map.of());
        assertEquals(405, post.status());
        assertNotNull(post.json().get("error"));
        Http.Response missing = Http.get(gateway.port(), "/nope");
        assertEquals(404, missing.status());
        assertNotNull(missing.json().get("error"));
        Http.Response getSend = Http.get(gateway.port(), "/api/send");
        assertEquals(405, getSend.status());
    }
}
