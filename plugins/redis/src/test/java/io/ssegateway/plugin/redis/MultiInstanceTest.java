package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Two gateway instances on one Redis: one message, every instance, the same id, stored once, in id order. */
class MultiInstanceTest extends GatewaysOnRedis {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static String freshChannel() {
        return "multi-" + UUID.randomUUID();
    }

    @Test
    void sentThroughOneInstanceReachesTheOtherAndReplaysThereExactly() throws Exception {
        String channel = freshChannel();
        List<String> sent = new ArrayList<>();
        String lastSeen;
        try (SseClient onA = SseClient.subscribe(a.port(), channel)) {
            for (int i = 0; i < 3; i++) {
                sent.add(Http.publish(b.port(), channel, "step", "seen-" + i));
            }
            List<SseClient.Event> events = onA.awaitMessages(3, WAIT);
            assertEquals(sent, events.stream().map(SseClient.Event::id).toList(), "A delivers B's messages with their ids");
            lastSeen = onA.lastEventId();
        }
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            missed.add(Http.publish(i == 0 ? a.port() : b.port(), channel, "step", "missed-" + i));
        }
        try (SseClient onB = SseClient.connect(b.port(), "/sse/connect?channel_id=" + channel,
                SseClient.options().header("Last-Event-ID", lastSeen))) {
            List<SseClient.Event> replayed = onB.awaitMessages(2, WAIT);
            assertEquals(missed, replayed.stream().map(SseClient.Event::id).toList());
            assertEquals(List.of("missed-0", "missed-1"), replayed.stream().map(SseClient.Event::data).toList());
            Http.publish(a.port(), channel, "step", "live");
            SseClient.Event live = onB.awaitMessages(3, WAIT).get(2);
            assertEquals("live", live.data());
            assertTrue(onB.events().stream().noneMatch(event -> event.type().equals("gap")), "no gap: " + onB.events());
        }
    }

    @Test
    void messagesThroughMixedInstancesAreStoredOnceWithTheSameIdsInTheSameOrderEverywhere() throws Exception {
        String channel = freshChannel();
        int perSender = 30;
        try (SseClient onA = SseClient.subscribe(a.port(), channel); SseClient onB = SseClient.subscribe(b.port(), channel)) {
            List<String> answered = Http.publishConcurrently(List.of(a.port(), b.port()), channel, "tick", perSender);
            List<SseClient.Event> seenOnA = onA.awaitMessages(2 * perSender, WAIT);
            List<SseClient.Event> seenOnB = onB.awaitMessages(2 * perSender, WAIT);
            assertEquals(seenOnA, seenOnB, "both instances deliver the same events, ids and order");
            List<String> ids = seenOnA.stream().map(SseClient.Event::id).toList();
            for (int i = 1; i < ids.size(); i++) {
                assertTrue(compareStreamIds(ids.get(i - 1), ids.get(i)) < 0, "ids increase: " + ids);
            }
            assertEquals((long) 2 * perSender, redis.command("XLEN", "sse:stream:" + channel), "stored once each");
            assertEquals(RedisFixtures.streamIds(redis, "sse:stream:" + channel), ids);
            assertEquals(new java.util.HashSet<>(answered), new java.util.HashSet<>(ids), "/api/send answered the ids the clients got");
        }
    }

    @Test
    void eachInstanceCountsOnlyItsOwnSubscribersInSentCount() throws Exception {
        String channel = freshChannel();
        try (SseClient onA = SseClient.subscribe(a.port(), channel); SseClient alsoOnA = SseClient.subscribe(a.port(), channel)) {
            SseClient.awaitCondition(() -> a.connections().channelConnectionCount(channel) == 2, WAIT, () -> "not registered");
            Http.Response throughB = Http.sendText(b.port(), channel, "t", "d");
            assertEquals(0, throughB.json().get("sent_count").asInt(), "nobody is subscribed on B");
            Http.Response throughA = Http.sendText(a.port(), channel, "t", "d");
            assertEquals(2, throughA.json().get("sent_count").asInt());
            assertNotEquals(throughA.json().get("stream_id").asText(), throughB.json().get("stream_id").asText());
            onA.awaitMessages(2, WAIT);
            alsoOnA.awaitMessages(2, WAIT);
        }
    }

    /** Orders Redis stream ids numerically. */
    static int compareStreamIds(String left, String right) {
        String[] l = left.split("-");
        String[] r = right.split("-");
        int byMillis = Long.compareUnsigned(Long.parseUnsignedLong(l[0]), Long.parseUnsignedLong(r[0]));
        return byMillis != 0 ? byMillis : Long.compareUnsigned(Long.parseUnsignedLong(l[1]), Long.parseUnsignedLong(r[1]));
    }
}
