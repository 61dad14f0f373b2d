package io.ssegateway.plugin.registry;

import static io.ssegateway.plugin.registry.RegistryFixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.plugin.registry.RegistryFixtures.Instance;
import io.ssegateway.redis.RedisPerClass;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two gateway instances, A and B, each with its own registry source and the Redis storage, on one real Redis: what an
 * agent sees and does (look up, push, store) and what the subscribers get.
 */
class DirectPushTest {

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    private static Instance a;
    private static Instance b;

    @BeforeAll
    static void start() {
        // heartbeats every second, so that /instances shows fresh counts
        a = Instance.start(REDIS.server(), "gateway-a", "instance-ttl", "3s");
        b = Instance.start(REDIS.server(), "gateway-b", "instance-ttl", "3s");
    }

    @AfterAll
    static void stop() {
        Instance.closeStarted(a, b);
    }

    @Test
    void aClientOnALooksUpAsA_aPushToAIsDeliveredAndStoredOnce_andItsDisconnectionMakesTheChannelOffline() throws Exception {
        try (SseClient client = SseClient.subscribe(a.port(), "alice")) {
            b.awaitHolders("alice", "gateway-a");
            JsonNode lookup = b.lookup("alice");
            assertTrue(lookup.get("online").asBoolean(), lookup.toString());
            assertEquals("alice", lookup.get("channel_id").asText());
            assertEquals(a.address(), lookup.get("instances").get(0).get("address").asText());
            assertEquals("http://127.0.0.1:" + a.pushPort(), a.address());

            JsonNode reply = a.push("alice", "notification", "{\"text\": \"hi\"}", "n-1");
            assertTrue(reply.get("success").asBoolean(), reply.toString());
            assertTrue(reply.get("online").asBoolean(), reply.toString());
            String streamId = reply.get("stream_id").asText();
            assertFalse(reply.has("elsewhere"), "a push delivered here does not look elsewhere: " + reply);

            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("notification", event.type());
            assertEquals("{\"text\":\"hi\"}", event.data());
            assertEquals(streamId, event.id());
            assertEquals(1L, REDIS.server().command("XLEN", "sse:stream:alice"), "stored exactly once");
        }
        a.awaitHolders("alice");
        assertFalse(a.lookup("alice").get("online").asBoolean());
        assertEquals(0L, REDIS.server().command("EXISTS", "sse:registry:channel:alice"), "the last one out removes the key");
    }

    @Test
    void clientsOfOneChannelOnAAndBAreBothListed_andOneLeavingKeepsTheOther() throws Exception {
        try (SseClient onA = SseClient.subscribe(a.port(), "shared")) {
            try (SseClient onB = SseClient.subscribe(b.port(), "shared")) {
                assertEquals(200, onB.status());
                a.awaitHolders("shared", "gateway-a", "gateway-b");
                assertEquals(List.of("gateway-a", "gateway-b"), b.holders("shared"));
            }
            b.awaitDisconnects("shared", 1);
            assertEquals(List.of("gateway-a"), a.holders("shared"), "B's leaving must not remove A");
            assertEquals(1L, REDIS.server().command("ZCARD", "sse:registry:channel:shared"));
            assertTrue(a.push("shared", "t", "still here", null).get("online").asBoolean());
            assertEquals("still here", onA.awaitMessages(1, WAIT).get(0).data());
        }
        a.awaitHolders("shared");
    }

    @Test
    void twoTabsOnOneInstance_oneClosing_keepsTheChannelRegistered() throws Exception {
        try (SseClient first = SseClient.subscribe(a.port(), "tabs")) {
            try (SseClient second = SseClient.subscribe(a.port(), "tabs")) {
                assertEquals(200, second.status());
                b.awaitHolders("tabs", "gateway-a");
                SseClient.awaitCondition(() -> a.gateway().connections().channelConnectionCount("tabs") == 2, WAIT,
                        () -> "two tabs expected");
            }
            a.awaitDisconnects("tabs", 1);
            assertEquals(List.of("gateway-a"), b.holders("tabs"), "one tab closing must not unregister the other");
            a.push("tabs", "t", "to the remaining tab", null);
            assertEquals("to the remaining tab", first.awaitMessages(1, WAIT).get(0).data());
        }
        b.awaitHolders("tabs");
    }

    @Test
    void aMultiChannelConnectionIsRegisteredUnderEachChannel_andLeavingKeepsChannelsOthersHold() throws Exception {
        try (SseClient single = SseClient.subscribe(a.port(), "mc-2")) {
            try (SseClient multi = SseClient.connect(a.port(), "/sse/connect?channel_id=mc-1&channel_id=mc-2",
                    SseClient.options())) {
                assertEquals(200, multi.status());
                b.awaitHolders("mc-1", "gateway-a");
                b.awaitHolders("mc-2", "gateway-a");
                assertTrue(b.lookup("mc-1").get("online").asBoolean());
                a.push("mc-1", "t", "pushed to mc-1", null);
                JsonNode envelope = Http.JSON.readTree(
                        multi.awaitEvent(event -> event.type().equals("t"), WAIT).data());
                assertEquals("mc-1", envelope.get("channel").asText());
                assertEquals("pushed to mc-1", envelope.get("data").asText());
            }
            b.awaitHolders("mc-1");
            assertEquals(List.of("gateway-a"), b.holders("mc-2"), "the single-channel client still holds mc-2");
        }
        b.awaitHolders("mc-2");
    }

    @Test
    void messagesStoredWhileOffline_areReplayedExactlyOnReconnect() throws Exception {
        JsonNode first = b.store("bob", "mail", "first", "m-1");
        assertFalse(first.get("online").asBoolean(), first.toString());
        assertEquals(0, first.get("elsewhere").size(), "nobody holds bob: " + first);
        String firstId = first.get("stream_id").asText();
        String secondId = b.store("bob", "mail", "second", "m-2").get("stream_id").asText();
        String thirdId = b.store("bob", "mail", "{\"n\": 3}", "m-3").get("stream_id").asText();
        assertEquals(3L, REDIS.server().command("XLEN", "sse:stream:bob"));

        // reconnecting to the other instance with the id of the first: exactly the two after it
        try (SseClient resumed = SseClient.connect(a.port(), "/sse/connect?channel_id=bob",
                SseClient.options().header("Last-Event-ID", firstId))) {
            List<SseClient.Event> replayed = resumed.awaitMessages(2, WAIT);
            assertEquals(List.of(secondId, thirdId), replayed.stream().map(SseClient.Event::id).toList());
            assertEquals(List.of("second", "{\"n\":3}"), replayed.stream().map(SseClient.Event::data).toList());
            assertEquals("mail", replayed.get(0).type());
            String liveId = a.push("bob", "mail", "live", "m-4").get("stream_id").asText();
            SseClient.Event live = resumed.awaitMessages(3, WAIT).get(2);
            assertEquals(liveId, live.id());
            assertEquals(3, resumed.messages().size(), "no duplicates: " + resumed.messages());
        }
        try (SseClient fresh = SseClient.connect(b.port(), "/sse/connect?channel_id=bob&last_event_id=earliest",
                SseClient.options())) {
            assertEquals(List.of("first", "second", "{\"n\":3}", "live"),
                    fresh.awaitMessages(4, WAIT).stream().map(SseClient.Event::data).toList());
        }
    }

    @Test
    void aStoreOnTheInstanceHoldingTheChannel_isDeliveredThere_soThatNoSubscriberSkipsIt() throws Exception {
        try (SseClient client = SseClient.subscribe(a.port(), "carol")) {
            b.awaitHolders("carol", "gateway-a");
            JsonNode stored = a.store("carol", "t", "stored while online", null);
            assertTrue(stored.get("online").asBoolean(), stored.toString());
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("stored while online", event.data());
            assertEquals(stored.get("stream_id").asText(), event.id());
        }
    }

    @Test
    void aPushWhereTheUserIsNot_isStoredAndNamesWhereTheUserIs_andPushingItThereWithTheSameIdDeliversTheSameEvent()
            throws Exception {
        try (SseClient client = SseClient.subscribe(a.port(), "dave")) {
            b.awaitHolders("dave", "gateway-a");
            JsonNode missed = b.push("dave", "alert", "moved", "alert-7");
            assertFalse(missed.get("online").asBoolean(), missed.toString());
            JsonNode elsewhere = missed.get("elsewhere");
            assertEquals(List.of("gateway-a"), RegistryFixtures.ids(elsewhere));
            assertEquals(a.address(), elsewhere.get(0).get("address").asText());
            String streamId = missed.get("stream_id").asText();

            // the agent's retry: the same message, same id, to the instance named
            JsonNode retried = a.push("dave", "alert", "moved", "alert-7");
            assertTrue(retried.get("online").asBoolean(), retried.toString());
            assertEquals(streamId, retried.get("stream_id").asText(), "one event, one stream id");
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals(streamId, event.id());
            assertEquals(1L, REDIS.server().command("XLEN", "sse:stream:dave"), "stored once");
        }
    }

    @Test
    void theSameMessagePushedToEveryHolder_isStoredOnceAndDeliveredWithOneIdEverywhere() throws Exception {
        try (SseClient onA = SseClient.subscribe(a.port(), "erin"); SseClient onB = SseClient.subscribe(b.port(), "erin")) {
            a.awaitHolders("erin", "gateway-a", "gateway-b");
            List<String> streamIds = new ArrayList<>();
            for (Instance holder : List.of(a, b)) {
                JsonNode reply = holder.push("erin", "t", "to every tab", "fan-1");
                assertTrue(reply.get("online").asBoolean(), reply.toString());
                streamIds.add(reply.get("stream_id").asText());
            }
            assertEquals(streamIds.get(0), streamIds.get(1));
            assertEquals(streamIds.get(0), onA.awaitMessages(1, WAIT).get(0).id());
            assertEquals(streamIds.get(0), onB.awaitMessages(1, WAIT).get(0).id());
            assertEquals(1L, REDIS.server().command("XLEN", "sse:stream:erin"));
        }
    }

    @Test
    void instancesListsEveryLiveInstanceWithItsAddressAndCounts() throws Exception {
        try (SseClient client = SseClient.subscribe(b.port(), "frank")) {
            assertEquals(200, client.status());
            a.awaitHolders("frank", "gateway-b");
            // the counts are the last heartbeat's: wait for one that saw the connection
            SseClient.awaitCondition(() -> instance(a.get("/instances").json(), "gateway-b").get("connections").asInt() >= 1,
                    WAIT, () -> "no heartbeat counted the connection: " + a.get("/instances").body());
            JsonNode instances = a.get("/instances").json().get("instances");
            assertEquals(List.of("gateway-a", "gateway-b"), RegistryFixtures.ids(instances));
            JsonNode gatewayB = instance(a.get("/instances").json(), "gateway-b");
            assertEquals(b.address(), gatewayB.get("address").asText());
            assertTrue(gatewayB.get("channels").asInt() >= 1, gatewayB.toString());
            assertNotNull(java.time.Instant.parse(gatewayB.get("started_at").asText()));
            assertNotNull(java.time.Instant.parse(gatewayB.get("heartbeat_at").asText()));
        }
    }

    @Test
    void channelsArePagedWithAScanCursorUntilItComesBackToZero() throws Exception {
        List<SseClient> clients = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        try {
            for (int i = 0; i < 12; i++) {
                clients.add(SseClient.subscribe((i % 2 == 0 ? a : b).port(), "page-" + i));
                expected.add("page-" + i);
            }
            b.awaitHolders("page-11", "gateway-b");
            a.awaitHolders("page-10", "gateway-a");
            Set<String> seen = new HashSet<>();
            String cursor = "0";
            int pages = 0;
            do {
                Http.Response page = a.get("/channels?count=5&cursor=" + cursor);
                assertEquals(200, page.status(), page.body());
                for (JsonNode channel : page.json().get("channels")) {
                    String id = channel.get("channel_id").asText();
                    if (id.startsWith("page-")) {
                        seen.add(id);
                        int index = Integer.parseInt(id.substring(5));
                        assertEquals(List.of(index % 2 == 0 ? "gateway-a" : "gateway-b"),
                                RegistryFixtures.ids(wrap(channel.get("instances"))), channel.toString());
                    }
                }
                cursor = page.json().get("cursor").asText();
                pages++;
            } while (!cursor.equals("0") && pages < 1000);
            assertEquals(expected, seen);
            assertTrue(pages > 1, "12 channels at count=5 take several pages");
        } finally {
            clients.forEach(SseClient::close);
        }
    }

    private static JsonNode instance(JsonNode reply, String id) {
        for (JsonNode instance : reply.get("instances")) {
            if (instance.get("instance_id").asText().equals(id)) {
                return instance;
            }
        }
        throw new AssertionError(id + " not in " + reply);
    }

    /** A list of instance ids as instance objects, to reuse {@link RegistryFixtures#ids}. */
    private static JsonNode wrap(JsonNode ids) {
        var array = Http.JSON.createArrayNode();
        ids.forEach(id -> array.addObject().put("instance_id", id.asText()));
        return array;
    }
}
