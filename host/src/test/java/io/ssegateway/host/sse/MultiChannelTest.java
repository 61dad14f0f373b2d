package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.FlakyStorage;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.MultiChannelRace;
import io.ssegateway.host.testkit.RecordingListener;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Denial;
import io.ssegateway.spi.auth.Identity;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One connection, several channels: {@code /sse/connect?channel_id=a&channel_id=b}. */
class MultiChannelTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final Gateways gateways = new Gateways();
    private Gateway gateway;

    private SseClient connect(String query, String lastEventId) throws Exception {
        SseClient.Options options = SseClient.options();
        if (lastEventId != null) {
            options.header("Last-Event-ID", lastEventId);
        }
        return SseClient.connect(gateway.port(), "/sse/connect?" + query, options);
    }

    /** The channel events (not subscribed, gap, heartbeat) as "channel:data". */
    private static List<String> received(SseClient client) {
        return client.messages().stream().filter(event -> event.type().equals("n"))
                .map(event -> {
                    JsonNode envelope = MultiChannelRace.envelope(event);
                    return envelope.get("channel").asText() + ":" + envelope.get("data").asText();
                }).toList();
    }

    private static SseClient.Event awaitSubscribed(SseClient client) {
        return client.awaitEvent(event -> event.type().equals("subscribed"), WAIT);
    }

    @Test
    void eventsOfEveryChannelArriveEnvelopedAndOthersDoNot() throws Exception {
        gateway = gateways.start(TestGateways.builder());
        try (SseClient both = connect("channel_id=b&channel_id=a", null);
             SseClient onlyB = SseClient.subscribe(gateway.port(), "b")) {
            assertEquals(200, both.status());
            SseClient.Event subscribed = awaitSubscribed(both);
            assertEquals("{\"channels\":[\"a\",\"b\"]}", subscribed.data());
            assertTrue(subscribed.id().startsWith("m1."), subscribed.id());
            SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("b") == 2, WAIT, () -> "b");

            String a1 = Http.publish(gateway.port(), "a", "n", "{\"x\":1}");
            Http.publish(gateway.port(), "c", "n", "not for them");
            String b1 = Http.publish(gateway.port(), "b", "n", "line1\nline2");

            SseClient.awaitCondition(() -> received(both).size() == 2, WAIT, () -> "got " + both.events());
            assertEquals(List.of("a:{\"x\":1}", "b:line1\nline2"), received(both));
            List<SseClient.Event> events = both.messages().stream().filter(event -> event.type().equals("n")).toList();
            assertEquals(a1, MultiChannelRace.envelope(events.get(0)).get("id").asText());
            assertEquals(b1, MultiChannelRace.envelope(events.get(1)).get("id").asText());
            assertTrue(events.get(1).id().startsWith("m1."), "the event's id is the connection's cursor");

            // the single-channel subscriber of b is unchanged: the stream id and the raw data
            SseClient.Event single = onlyB.awaitMessages(1, WAIT).get(0);
            assertEquals(b1, single.id());
            assertEquals("line1\nline2", single.data());
        }
    }

    @Test
    void reconnectingWithTheLastIdResumesEveryChannelExactly() throws Exception {
        gateway = gateways.start(TestGateways.builder());
        Http.publish(gateway.port(), "a", "n", "a-before");
        String lastId;
        try (SseClient client = connect("channel_id=a&channel_id=b", null)) {
            awaitSubscribed(client);
            Http.publish(gateway.port(), "a", "n", "a1");
            Http.publish(gateway.port(), "b", "n", "b1");
            SseClient.awaitCondition(() -> received(client).size() == 2, WAIT, () -> "got " + client.events());
            assertEquals(List.of("a:a1", "b:b1"), received(client));
            lastId = client.lastEventId();
        }
        Http.publish(gateway.port(), "b", "n", "b2");
        Http.publish(gateway.port(), "a", "n", "a2");
        Http.publish(gateway.port(), "b", "n", "b3");
        try (SseClient resumed = connect("channel_id=b&channel_id=a", lastId)) {
            awaitSubscribed(resumed);
            SseClient.awaitCondition(() -> received(resumed).size() == 3, WAIT, () -> "got " + resumed.events());
            Http.publish(gateway.port(), "a", "n", "a3");
            SseClient.awaitCondition(() -> received(resumed).size() == 4, WAIT, () -> "got " + resumed.events());
            // replayed channel by channel (in channel order), then live
            assertEquals(List.of("a:a2", "b:b2", "b:b3", "a:a3"), received(resumed));
            assertTrue(resumed.events().stream().noneMatch(event -> event.type().equals("gap")));
        }
        assertEquals(0, gateway.metrics().replayGaps.sum());
    }

    @Test
    void aClientDroppedBeforeItsFirstEventResumesFromWhereItConnected() throws Exception {
        gateway = gateways.start(TestGateways.builder());
        Http.publish(gateway.port(), "a", "n", "old");
        String subscribedId;
        try (SseClient client = connect("channel_id=a&channel_id=b", null)) {
            subscribedId = awaitSubscribed(client).id();
        }
        Http.publish(gateway.port(), "b", "n", "b1");
        try (SseClient resumed = connect("channel_id=a&channel_id=b", subscribedId)) {
            SseClient.awaitCondition(() -> received(resumed).size() == 1, WAIT, () -> "got " + resumed.events());
            assertEquals(List.of("b:b1"), received(resumed));
        }
    }

    /** FlakyStorage does not override lastId: the SPI's default (paging through the history) places the channels. */
    @Test
    void aStorageWithoutItsOwnLastIdStartsEveryChannelAfterItsNewestEvent() throws Exception {
        gateway = gateways.start(TestGateways.builder().storage(new FlakyStorage(new MemoryStorage())));
        for (int i = 0; i < 5; i++) {
            Http.publish(gateway.port(), "a", "n", "old-a" + i);
        }
        String subscribedId;
        try (SseClient client = connect("channel_id=a&channel_id=b", null)) {
            subscribedId = awaitSubscribed(client).id();
        }
        Http.publish(gateway.port(), "a", "n", "new-a");
        try (SseClient resumed = connect("channel_id=a&channel_id=b", subscribedId)) {
            SseClient.awaitCondition(() -> received(resumed).size() == 1, WAIT, () -> "got " + resumed.events());
            assertEquals(List.of("a:new-a"), received(resumed));
        }
    }

    @Test
    void aStorageThatCannotSayWhereTheChannelsStandEndsTheStreamSoThatTheClientRetries() throws Exception {
        FlakyStorage broken = new FlakyStorage(new MemoryStorage());
        broken.down();
        gateway = gateways.start(TestGateways.builder().storage(broken));
        try (SseClient client = connect("channel_id=a&channel_id=b", null)) {
            assertEquals(200, client.status());
            client.awaitEnd(WAIT);
            assertTrue(client.retryMillis() != null, "the retry line comes first so that the client reconnects");
            assertTrue(client.messages().isEmpty(), "no subscribed event without positions: " + client.events());
        }
        assertEquals(1, gateway.metrics().replayFailures.sum());
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, WAIT, () -> "still registered");
        assertEquals(0, gateway.connections().channelConnectionCount("b"));
    }

    @Test
    void aChannelWhoseHistoryNoLongerReachesBackGetsItsOwnGap() throws Exception {
        gateway = gateways.start(TestGateways.builder().storage(new MemoryStorage(3, Duration.ZERO)));
        String lastId;
        try (SseClient client = connect("channel_id=a&channel_id=b", null)) {
            awaitSubscribed(client);
            Http.publish(gateway.port(), "a", "n", "a0");
            Http.publish(gateway.port(), "b", "n", "b0");
            SseClient.awaitCondition(() -> received(client).size() == 2, WAIT, () -> "got " + client.events());
            lastId = client.lastEventId();
        }
        for (int i = 1; i <= 6; i++) {
            Http.publish(gateway.port(), "a", "n", "a" + i);
        }
        Http.publish(gateway.port(), "b", "n", "b1");
        try (SseClient resumed = connect("channel_id=a&channel_id=b", lastId)) {
            SseClient.awaitCondition(() -> received(resumed).size() == 4, WAIT, () -> "got " + resumed.events());
            List<SseClient.Event> gaps = resumed.events().stream().filter(event -> event.type().equals("gap")).toList();
            assertEquals(1, gaps.size(), "one gap, for a only: " + resumed.events());
            JsonNode gap = Http.JSON.readTree(gaps.get(0).data());
            assertEquals("a", gap.get("channel").asText());
            assertNull(gaps.get(0).id(), "a gap moves no cursor");
            assertEquals(List.of("a:a4", "a:a5", "a:a6", "b:b1"), received(resumed));
        }
        assertEquals(1, gateway.metrics().replayGaps.sum());
    }

    @Test
    void aCursorOfAnotherChannelSetOrGarbageGivesGapsThenEverythingRetained() throws Exception {
        gateway = gateways.start(TestGateways.builder());
        String otherSetId;
        try (SseClient other = connect("channel_id=a&channel_id=z", null)) {
            otherSetId = awaitSubscribed(other).id();
        }
        Http.publish(gateway.port(), "a", "n", "a0");
        Http.publish(gateway.port(), "b", "n", "b0");
        for (String lastId : List.of(otherSetId, "garbage")) {
            try (SseClient client = connect("channel_id=a&channel_id=b", lastId)) {
                SseClient.awaitCondition(() -> received(client).size() == 2, WAIT, () -> "got " + client.events());
                assertEquals(List.of("a:a0", "b:b0"), received(client));
                assertEquals(2, client.events().stream().filter(event -> event.type().equals("gap")).count());
            }
        }
    }

    @Test
    void moreChannelsThanTheLimitAre400NamingIt() throws Exception {
        gateway = gateways.start(TestGateways.builder().maxChannelsPerConnection(3));
        SseClient tooMany = connect("channel_id=a&channel_id=b&channel_id=c&channel_id=d", null);
        assertEquals(400, tooMany.status());
        assertTrue(tooMany.errorBody().contains("at most 3") && tooMany.errorBody().contains("max-channels-per-connection"),
                tooMany.errorBody());
        // a repeated channel counts once
        try (SseClient repeated = connect("channel_id=a&channel_id=b&channel_id=a&channel_id=c", null)) {
            assertEquals(200, repeated.status());
            assertEquals("{\"channels\":[\"a\",\"b\",\"c\"]}", awaitSubscribed(repeated).data());
        }
        SseClient invalid = connect("channel_id=a&channel_id=", null);
        assertEquals(400, invalid.status());
        assertTrue(invalid.errorBody().startsWith("{\"error\":"), invalid.errorBody());
        assertEquals(1, gateway.metrics().connectionsOpened.sum(), "only the one with a repeated channel opened");
    }

    @Test
    void theLimitIsFrom1To256() {
        for (int wrong : new int[] {0, 257}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> TestGateways.builder().maxChannelsPerConnection(wrong).build());
            assertTrue(e.getMessage().contains("maxChannelsPerConnection must be from 1 to 256, not " + wrong),
                    e.getMessage());
        }
        assertEquals(32, TestGateways.builder().build().settings().maxChannelsPerConnection());
    }

    @Test
    void theAuthenticatorSeesEveryChannelAndRefusingOneRefusesTheConnection() throws Exception {
        AtomicReference<List<String>> asked = new AtomicReference<>();
        gateway = gateways.start(TestGateways.builder().auth(request -> {
            asked.set(request.channelIds());
            for (String channel : request.channelIds()) {
                if (channel.startsWith("secret")) {
                    return AuthResult.deny(Denial.denyJson(403, Http.JSON.createObjectNode()
                            .put("error", "channel '" + channel + "' is not allowed").put("channel", channel).toString()));
                }
            }
            return AuthResult.allow(Identity.of("user"));
        }));
        SseClient refused = connect("channel_id=a&channel_id=secret-1", null);
        assertEquals(403, refused.status());
        assertEquals("secret-1", Http.JSON.readTree(refused.errorBody()).get("channel").asText());
        assertEquals(List.of("a", "secret-1"), asked.get());
        try (SseClient allowed = connect("channel_id=a&channel_id=b", null)) {
            assertEquals(200, allowed.status());
            assertEquals(List.of("a", "b"), asked.get());
        }
    }

    @Test
    void listenersStatsAndCountsSeeEveryChannelAndBroadcastsArriveOnce() throws Exception {
        RecordingListener listener = new RecordingListener();
        gateway = gateways.start(TestGateways.builder().listener(listener));
        try (SseClient client = connect("channel_id=a&channel_id=b&channel_id=c", null)) {
            awaitSubscribed(client);
            assertEquals(1, gateway.connections().connectionCount());
            for (String channel : List.of("a", "b", "c")) {
                assertEquals(1, gateway.connections().channelConnectionCount(channel), channel);
            }
            ConnectionInfo info = listener.infos.values().iterator().next();
            assertEquals(List.of("a", "b", "c"), info.channelIds());
            assertEquals("a", info.channelId());
            JsonNode row = Http.get(gateway.port(), "/api/stats").json().get("connections").get(0);
            assertEquals("[\"a\",\"b\",\"c\"]", row.get("channel_ids").toString());

            Http.publish(gateway.port(), null, "news", "to everyone");
            Http.publish(gateway.port(), "c", "n", "c1");
            SseClient.awaitCondition(() -> received(client).size() == 1, WAIT, () -> "got " + client.events());
            List<SseClient.Event> broadcasts = client.messages().stream()
                    .filter(event -> event.type().equals("news")).toList();
            assertEquals(1, broadcasts.size(), "a broadcast arrives once: " + client.events());
            JsonNode envelope = MultiChannelRace.envelope(broadcasts.get(0));
            assertTrue(envelope.get("channel").isNull());
            assertEquals("to everyone", envelope.get("data").asText());
            assertNull(broadcasts.get(0).id());
        }
        SseClient.awaitCondition(() -> listener.disconnectCount() == 1, WAIT, () -> "no disconnect");
        assertEquals(0, gateway.connections().connectionCount());
        assertEquals(0, gateway.connections().channelConnectionCount("b"));
        assertTrue(gateway.connections().channels().isEmpty());
    }

    /** The race of issue 15 with the memory storage (the Redis one is in the redis plugin's tests). */
    @Test
    void reconnectingMultiChannelClientsMissNothingWhileAPublisherRunsFlatOut() throws Exception {
        gateway = gateways.start(TestGateways.builder().storage(new MemoryStorage(100_000, Duration.ZERO)));
        MultiChannelRace.run("race", gateway.port(), new int[] {gateway.port()}, 60, 15);
        assertEquals(0, gateway.metrics().replayGaps.sum());
        assertTrue(gateway.metrics().replays.sum() >= 60 * 15);
    }

    /** Clients first connect while the publisher runs: where each channel starts is exact too. */
    @Test
    void clientsConnectingWhileAPublisherRunsStartEachChannelExactly() throws Exception {
        gateway = gateways.start(TestGateways.builder().storage(new MemoryStorage(100_000, Duration.ZERO)));
        MultiChannelRace.run("race-live", gateway.port(), new int[] {gateway.port()}, 40, 8, true);
        assertEquals(0, gateway.metrics().replayGaps.sum());
    }
}
