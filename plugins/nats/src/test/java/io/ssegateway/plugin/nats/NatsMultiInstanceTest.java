package io.ssegateway.plugin.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two gateway instances with the NATS source and storage on one real {@code nats-server -js}: one message, every
 * instance, the same id, stored once, in id order, replayable from either.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatsMultiInstanceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final NatsPerClass NATS = new NatsPerClass();

    private Gateway a;
    private Gateway b;

    @BeforeAll
    void startGateways() {
        a = NatsFixtures.gateway(NATS.server());
        b = NatsFixtures.gateway(NATS.server());
        NatsFixtures.awaitReady(a);
        NatsFixtures.awaitReady(b);
    }

    @AfterAll
    void stopGateways() {
        for (Gateway gateway : new Gateway[] {a, b}) {
            if (gateway != null) {
                gateway.stop();
            }
        }
    }

    private static String freshChannel() {
        return "multi-" + UUID.randomUUID();
    }

    @Test
    void sentThroughOneInstanceReachesTheOtherAndReplaysExactlyFromEither() throws Exception {
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
        for (Gateway replayFrom : List.of(a, b)) {
            try (SseClient again = SseClient.connect(replayFrom.port(), "/sse/connect?channel_id=" + channel,
                    SseClient.options().header("Last-Event-ID", lastSeen))) {
                List<SseClient.Event> replayed = again.awaitMessages(2, WAIT);
                assertEquals(missed, replayed.stream().map(SseClient.Event::id).toList());
                assertEquals(List.of("missed-0", "missed-1"), replayed.stream().map(SseClient.Event::data).toList());
                assertTrue(again.events().stream().noneMatch(event -> event.type().equals("gap")), "no gap: " + again.events());
            }
        }
        try (SseClient onB = SseClient.connect(b.port(), "/sse/connect?channel_id=" + channel + "&last_event_id=earliest",
                SseClient.options())) {
            List<String> all = new ArrayList<>(sent);
            all.addAll(missed);
            assertEquals(all, onB.awaitMessages(5, WAIT).stream().map(SseClient.Event::id).toList());
            Http.publish(a.port(), channel, "step", "live");
            assertEquals("live", onB.awaitMessages(6, WAIT).get(5).data());
        }
        assertEquals(6, NatsFixtures.messagesOn(NATS.server(), "SSE", "sse." + channel), "stored once each");
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
            List<Long> ids = seenOnA.stream().map(event -> Long.parseLong(event.id())).toList();
            for (int i = 1; i < ids.size(); i++) {
                assertTrue(ids.get(i - 1) < ids.get(i), "ids increase: " + ids);
            }
            assertEquals(2L * perSender, NatsFixtures.messagesOn(NATS.server(), "SSE", "sse." + channel), "stored once each");
            assertEquals(new HashSet<>(answered), new HashSet<>(seenOnA.stream().map(SseClient.Event::id).toList()),
                    "/api/send answered the ids the clients got");
        }
    }

    @Test
    void aClientWhoseIdWasEvictedGetsAGapThenEverythingRetained() throws Exception {
        Gateway small = NatsFixtures.gateway(NATS.server(), "stream", "GAP", "subject-prefix", "gap", "max-msgs-per-subject", "2");
        try {
            NatsFixtures.awaitReady(small);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(Http.publish(small.port(), "evicting", "t", "m" + i));
            }
            try (SseClient late = SseClient.connect(small.port(), "/sse/connect?channel_id=evicting",
                    SseClient.options().header("Last-Event-ID", ids.get(0)))) {
                SseClient.Event gap = late.awaitEvent(event -> event.type().equals("gap"), WAIT);
                assertTrue(gap.data().contains(ids.get(2)), "the gap names the earliest retained id: " + gap.data());
                assertEquals(ids.subList(2, 4), late.awaitMessages(3, WAIT).stream()
                        .filter(event -> event.type().equals("t")).map(SseClient.Event::id).toList());
            }
            try (SseClient onTime = SseClient.connect(small.port(), "/sse/connect?channel_id=evicting",
                    SseClient.options().header("Last-Event-ID", ids.get(1)))) {
                assertEquals(ids.subList(2, 4), onTime.awaitMessages(2, WAIT).stream().map(SseClient.Event::id).toList());
                assertTrue(onTime.events().stream().noneMatch(event -> event.type().equals("gap")),
                        "the last evicted id missed nothing: " + onTime.events());
            }
        } finally {
            small.stop();
        }
    }

    @Test
    void aMultiChannelConnectionResumesEveryChannelExactlyOnTheOtherInstance() throws Exception {
        String x = freshChannel();
        String y = freshChannel();
        String path = "/sse/connect?channel_id=" + x + "&channel_id=" + y;
        String cursor;
        try (SseClient onA = SseClient.connect(a.port(), path, SseClient.options())) {
            // publish once the connection has read where its channels stand (its "subscribed" event): a first connect
            // starts after each channel's newest id at that read, so an event stored just before it is not sent
            onA.awaitEvent(event -> event.type().equals("subscribed"), WAIT);
            Http.publish(b.port(), x, "t", "x-1");
            Http.publish(b.port(), y, "t", "y-1");
            onA.awaitMessages(3, WAIT); // "subscribed", then the two events
            cursor = onA.lastEventId();
        }
        String missedX = Http.publish(a.port(), x, "t", "x-2");
        String missedY = Http.publish(b.port(), y, "t", "y-2");
        try (SseClient onB = SseClient.connect(b.port(), path, SseClient.options().header("Last-Event-ID", cursor))) {
            onB.awaitMessages(3, WAIT);
            // each event is an envelope naming its channel and its stream id
            List<String> resumed = onB.messages().stream().filter(event -> event.type().equals("t"))
                    .map(event -> envelope(event.data())).toList();
            assertEquals(new HashSet<>(List.of(x + "/" + missedX + "/x-2", y + "/" + missedY + "/y-2")), new HashSet<>(resumed),
                    "exactly what each channel missed: " + resumed);
            assertTrue(onB.events().stream().noneMatch(event -> event.type().equals("gap")), onB.events().toString());
        }
    }

    /** {@code <channel>/<stream id>/<data>} of a multi-channel event's envelope. */
    private static String envelope(String data) {
        try {
            var envelope = Http.JSON.readTree(data);
            return envelope.get("channel").asText() + "/" + envelope.get("id").asText() + "/" + envelope.get("data").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError("not an envelope: " + data, e);
        }
    }

    @Test
    void aRetriedBusinessIdIsStoredAndDeliveredOnce() throws Exception {
        String channel = freshChannel();
        String body = "{\"channel_id\": \"" + channel + "\", \"event_type\": \"order\", \"data\": \"x\", \"id\": \"order-42\"}";
        try (SseClient onA = SseClient.subscribe(a.port(), channel)) {
            Http.Response first = Http.postJson(b.port(), "/api/send", body);
            Http.Response retry = Http.postJson(a.port(), "/api/send", body);
            assertEquals(200, first.status(), first.body());
            assertEquals(200, retry.status(), retry.body());
            assertEquals(first.json().get("stream_id").asText(), retry.json().get("stream_id").asText());
            String next = Http.publish(a.port(), channel, "t", "next");
            List<SseClient.Event> seen = onA.awaitMessages(2, WAIT);
            assertEquals(List.of(first.json().get("stream_id").asText(), next), seen.stream().map(SseClient.Event::id).toList());
            assertEquals(2, NatsFixtures.messagesOn(NATS.server(), "SSE", "sse." + channel));
        }
    }

    @Test
    void aChannelIdThatIsNoSubjectTokenWorksEndToEnd() throws Exception {
        String channel = "room.42 > *ü";
        try (SseClient onA = SseClient.subscribe(a.port(), channel)) {
            String id = Http.publish(b.port(), channel, "t", "odd");
            assertEquals(id, onA.awaitMessages(1, WAIT).get(0).id());
            assertEquals(1, NatsFixtures.messagesOn(NATS.server(), "SSE", "sse." + Tokens.subjectToken(channel)));
        }
    }

    @Test
    void aMessagePublishedStraightIntoTheStreamReachesEveryInstanceWithItsSequence() throws Exception {
        String channel = freshChannel();
        try (SseClient onA = SseClient.subscribe(a.port(), channel); SseClient onB = SseClient.subscribe(b.port(), channel)) {
            SseClient.awaitCondition(() -> a.connections().channelConnectionCount(channel) == 1
                    && b.connections().channelConnectionCount(channel) == 1, WAIT, () -> "not registered");
            long sequence = NatsFixtures.publishExternally(NATS.server(), "sse." + channel, "external", "from a backend");
            for (SseClient client : List.of(onA, onB)) {
                SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
                assertEquals(Long.toString(sequence), event.id());
                assertEquals("external", event.type());
                assertEquals("from a backend", event.data());
            }
        }
    }

    @Test
    void aBroadcastReachesEveryInstanceUnstored() throws Exception {
        try (SseClient onA = SseClient.subscribe(a.port(), freshChannel()); SseClient onB = SseClient.subscribe(b.port(), freshChannel())) {
            SseClient.awaitCondition(() -> a.connections().connectionCount() >= 1 && b.connections().connectionCount() >= 1,
                    WAIT, () -> "not registered");
            Http.Response sent = Http.sendText(a.port(), null, "notice", "to all");
            assertEquals(200, sent.status(), sent.body());
            for (SseClient client : List.of(onA, onB)) {
                SseClient.Event event = client.awaitEvent(e -> "to all".equals(e.data()), WAIT);
                assertEquals("notice", event.type());
                assertEquals(null, event.id());
            }
        }
    }

    @Test
    void aMessageAboveTheServersMaxPayloadIsRefusedClearlyAndTheConnectionSurvives() throws Exception {
        String channel = freshChannel();
        String large = "x".repeat(1_048_570); // under gateway.max-message-bytes (1 MiB), over NATS's 1 MiB with headers
        for (String target : new String[] {channel, null}) {
            Http.Response refused = Http.sendText(a.port(), target, "t", large);
            assertEquals(400, refused.status(), refused.body());
            assertTrue(refused.body().contains("max_payload"), refused.body());
        }
        try (SseClient onB = SseClient.subscribe(b.port(), channel)) {
            String id = Http.publish(a.port(), channel, "t", "small");
            assertEquals(id, onB.awaitMessages(1, WAIT).get(0).id());
        }
        assertEquals(200, Http.get(a.port(), "/ready").status());
    }

    @Test
    void eachInstanceCountsOnlyItsOwnSubscribersInSentCount() throws Exception {
        String channel = freshChannel();
        try (SseClient onA = SseClient.subscribe(a.port(), channel)) {
            SseClient.awaitCondition(() -> a.connections().channelConnectionCount(channel) == 1, WAIT, () -> "not registered");
            Http.Response throughB = Http.sendText(b.port(), channel, "t", "d");
            assertEquals(0, throughB.json().get("sent_count").asInt(), throughB.body());
            Http.Response throughA = Http.sendText(a.port(), channel, "t", "d");
            assertEquals(1, throughA.json().get("sent_count").asInt(), throughA.body());
            assertNotEquals(throughA.json().get("stream_id").asText(), throughB.json().get("stream_id").asText());
            assertFalse(throughA.json().has("warning"), throughA.body());
            onA.awaitMessages(2, WAIT);
        }
    }
}
