package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.Metrics;
import io.ssegateway.host.testkit.SseClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Redis Pub/Sub → SSE over real connections, on one gateway with the Redis source and storage. */
class RedisSourceDeliveryTest extends GatewaysOnRedis {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Override
    protected int instances() {
        return 1;
    }

    private static String freshChannel() {
        return "delivery-" + UUID.randomUUID();
    }

    private void publish(String channel, String payload) {
        redis.command("PUBLISH", "sse:" + channel, payload);
    }

    @Test
    void jsonMessageWithAnIdIsStoredOnceAndDeliveredWithItsStreamId() throws Exception {
        String channel = freshChannel();
        try (SseClient client = SseClient.subscribe(a.port(), channel)) {
            publish(channel, "{\"event_type\": \"order.created\", \"data\": {\"total\": 3, \"items\": [1, 2]}, \"id\": \"o-1\"}");
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("order.created", event.type());
            assertEquals("{\"total\":3,\"items\":[1,2]}", event.data(), "JSON data is sent as compact JSON");
            assertEquals(RedisFixtures.streamIds(redis, "sse:stream:" + channel), List.of(event.id()));
        }
    }

    @Test
    void plainTextIsAMessageEventDeliveredButNotStored() throws Exception {
        String channel = freshChannel();
        try (SseClient client = SseClient.subscribe(a.port(), channel)) {
            publish(channel, "hello, plain world");
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("message", event.type());
            assertEquals("hello, plain world", event.data());
            assertNull(event.id(), "without an id it cannot be stored once, so it is not stored");
            assertEquals(0L, redis.command("EXISTS", "sse:stream:" + channel));
        }
    }

    @Test
    void jsonStringDataIsSentAsItsTextLineByLine() throws Exception {
        String channel = freshChannel();
        try (SseClient client = SseClient.subscribe(a.port(), channel)) {
            publish(channel, "{\"data\": \"line one\\nline two\", \"id\": 42}");
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("message", event.type());
            assertEquals("line one\nline two", event.data());
            assertEquals(event.id(), redis.command("HGET", "sse:ids:" + channel, "42"), "a numeric id is the business id");
        }
    }

    @Test
    void textThatOnlyLooksLikeJsonIsDeliveredVerbatim() throws Exception {
        String channel = freshChannel();
        try (SseClient client = SseClient.subscribe(a.port(), channel)) {
            publish(channel, "{\"data\": \"unterminated");
            publish(channel, "{\"no_data_member\": true}");
            publish(channel, "[1, 2, 3]");
            List<SseClient.Event> events = client.awaitMessages(3, WAIT);
            assertEquals(List.of("{\"data\": \"unterminated", "{\"no_data_member\": true}", "[1, 2, 3]"),
                    events.stream().map(SseClient.Event::data).toList());
            assertTrue(events.stream().allMatch(event -> event.type().equals("message")));
        }
    }

    @Test
    void broadcastReachesEveryChannelWithoutAnId() throws Exception {
        String first = freshChannel();
        String second = freshChannel();
        try (SseClient onFirst = SseClient.subscribe(a.port(), first);
             SseClient onSecond = SseClient.subscribe(a.port(), second)) {
            redis.command("PUBLISH", "sse:broadcast", "{\"event_type\": \"notice\", \"data\": \"maintenance at 5\", \"id\": \"n-1\"}");
            for (SseClient client : List.of(onFirst, onSecond)) {
                SseClient.Event event = client.awaitEvent(e -> e.type().equals("notice"), WAIT);
                assertEquals("maintenance at 5", event.data());
                assertNull(event.id());
            }
        }
    }

    @Test
    void invalidMessagesAreDroppedAndTheSubscriptionGoesOn() throws Exception {
        String channel = freshChannel();
        long rejectedBefore = rejected("control_characters");
        try (SseClient client = SseClient.subscribe(a.port(), channel)) {
            publish(channel, "{\"event_type\": \"evil\\nevent: injected\", \"data\": \"x\", \"id\": \"bad-1\"}");
            publish(channel, "{\"event_type\": \"evil\\r\", \"data\": \"x\"}");
            publish(channel, "{\"event_type\": 5, \"data\": \"wrong type\"}");
            publish(channel, "{\"event_type\": \"t\", \"data\": \"x\", \"stream_id\": \"not-a-stream-id\"}");
            publish(channel, "{\"event_type\": \"after\", \"data\": \"still subscribed\"}");
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("after", event.type());
            assertEquals("still subscribed", event.data());
            SseClient.awaitCondition(() -> rejected("control_characters") == rejectedBefore + 2, WAIT,
                    () -> "rejections counted: " + rejected("control_characters"));
            assertEquals(0L, redis.command("EXISTS", "sse:stream:" + channel), "an invalid message is never stored");
        }
        assertEquals(200, Http.get(a.port(), "/ready").status());
    }

    @Test
    void apiSendGoesThroughRedisAndAnswersTheStreamId() throws Exception {
        String channel = freshChannel();
        try (SseClient client = SseClient.subscribe(a.port(), channel)) {
            Http.Response response = Http.sendText(a.port(), channel, "greeting", "hello");
            assertEquals(200, response.status(), response.body());
            assertEquals(1, response.json().get("sent_count").asInt());
            String streamId = response.json().get("stream_id").asText();
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals(streamId, event.id());
            assertEquals("hello", event.data());
            assertEquals(List.of(streamId), RedisFixtures.streamIds(redis, "sse:stream:" + channel));
        }
    }

    @Test
    void apiSendRetriedWithTheSameIdIsStoredAndDeliveredOnce() throws Exception {
        String channel = freshChannel();
        String body = "{\"channel_id\": \"" + channel + "\", \"event_type\": \"t\", \"data\": \"once\", \"id\": \"retry-1\"}";
        try (SseClient client = SseClient.subscribe(a.port(), channel)) {
            String first = Http.postJson(a.port(), "/api/send", body).json().get("stream_id").asText();
            String again = Http.postJson(a.port(), "/api/send", body).json().get("stream_id").asText();
            assertEquals(first, again);
            Http.publish(a.port(), channel, "t", "next");
            List<SseClient.Event> events = client.awaitMessages(2, WAIT);
            assertEquals(List.of("once", "next"), events.stream().map(SseClient.Event::data).toList());
            assertEquals(2L, redis.command("XLEN", "sse:stream:" + channel));
        }
    }

    @Test
    void theSubscriptionHealthCheckKeepsTheSameConnection() {
        Gateway pinging = io.ssegateway.host.testkit.TestGateways.builder()
                .source(RedisFixtures.source(redis, "ping-interval", "100ms")).storage(RedisFixtures.storage(redis))
                .build().start();
        try {
            RedisFixtures.awaitReady(pinging);
            List<String> before = pubsubClients();
            long pings = pingCalls();
            SseClient.awaitCondition(() -> pingCalls() >= pings + 5, WAIT, () -> "no PINGs on the subscription: " + pings + " -> " + pingCalls());
            assertEquals(before, pubsubClients(), "PING answered on the subscription: no reconnection");
            assertEquals(200, Http.get(pinging.port(), "/ready").status());
        } finally {
            pinging.stop();
        }
    }

    private List<String> pubsubClients() {
        return ((String) redis.command("CLIENT", "LIST", "TYPE", "pubsub")).lines()
                .map(line -> line.substring(0, line.indexOf(' '))).sorted().toList();
    }

    private long pingCalls() {
        return ((String) redis.command("INFO", "commandstats")).lines().filter(line -> line.startsWith("cmdstat_ping:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("^cmdstat_ping:calls=(\\d+),.*", "$1"))).sum();
    }

    @Test
    void apiSendBroadcastGoesThroughRedis() throws Exception {
        try (SseClient client = SseClient.subscribe(a.port(), freshChannel())) {
            Http.Response response = Http.sendText(a.port(), null, "all-hands", "to everyone");
            assertEquals(200, response.status(), response.body());
            assertTrue(response.json().get("stream_id").isNull());
            SseClient.Event event = client.awaitEvent(e -> e.type().equals("all-hands"), WAIT);
            assertNull(event.id());
        }
    }

    @Test
    void apiSendRefusesTheChannelThatNamesTheBroadcast() {
        Http.Response response = Http.sendText(a.port(), "broadcast", "t", "d");
        assertEquals(400, response.status(), response.body());
        assertTrue(response.json().get("error").asText().contains("sse:broadcast"), response.body());
    }

    @Test
    void apiSendRefusesInvalidMessagesBeforeTheBus() {
        String channel = freshChannel();
        Http.Response response = Http.sendText(a.port(), channel, "bad\ntype", "d");
        assertEquals(400, response.status(), response.body());
        assertEquals(0L, redis.command("EXISTS", "sse:stream:" + channel));
    }

    private long rejected(String reason) {
        return (long) Metrics.value(a.port(), "sse_messages_rejected_total{reason=\"" + reason + "\"}");
    }
}
