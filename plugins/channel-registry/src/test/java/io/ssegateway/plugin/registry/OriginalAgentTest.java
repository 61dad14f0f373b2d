package io.ssegateway.plugin.registry;

import static io.ssegateway.plugin.registry.RegistryFixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.plugin.registry.RegistryFixtures.Instance;
import io.ssegateway.redis.RedisPerClass;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Agents written for the original gateway: they read {@code channel:<id>:gateway} from Redis (or {@code gateway} from
 * {@code GET /channel/{id}}), post to {@code http://<that>/push}, and broadcast by leaving the channel out.
 */
class OriginalAgentTest {

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    /** Short TTLs: memberships are refreshed every second. */
    private static final String CHANNEL_TTL = "3s";

    private static Instance a;
    private static Instance b;

    @BeforeAll
    static void start() {
        a = Instance.start(REDIS.server(), "gateway-a", "channel-ttl", CHANNEL_TTL);
        b = Instance.start(REDIS.server(), "gateway-b", "channel-ttl", CHANNEL_TTL);
    }

    @AfterAll
    static void stop() {
        Instance.closeStarted(a, b);
    }

    private static Object holderKey(String channelId) {
        return REDIS.server().command("GET", "channel:" + channelId + ":gateway");
    }

    private static String hostAndPort(Instance instance) {
        return "127.0.0.1:" + instance.pushPort();
    }

    @Test
    void anOriginalAgentFindsTheGatewayInRedisAndPushesToIt() throws Exception {
        try (SseClient client = SseClient.subscribe(a.port(), "alice")) {
            b.awaitHolders("alice", "gateway-a");
            Object address = holderKey("alice");
            assertEquals(hostAndPort(a), address);
            long ttl = (Long) REDIS.server().command("PTTL", "channel:alice:gateway");
            assertTrue(ttl > 0 && ttl <= 3000, "expires with channel-ttl: " + ttl);
            JsonNode lookup = b.lookup("alice");
            assertEquals(hostAndPort(a), lookup.get("gateway").asText(), lookup.toString());
            assertTrue(lookup.get("online").asBoolean());

            // the original agent: POST http://<address>/push with the original's body (no id)
            HttpResponse<String> pushed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://" + address + "/push")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"channel_id\": \"alice\", \"event_type\": \"message\", \"data\": {\"msg\": \"Hello!\"}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, pushed.statusCode(), pushed.body());
            assertEquals("{\"msg\":\"Hello!\"}", client.awaitMessages(1, WAIT).get(0).data());
        }
        a.awaitHolders("alice");
        assertNull(holderKey("alice"), "the last holder leaving deletes the key");
        assertTrue(b.lookup("alice").get("gateway").isNull());
    }

    @Test
    void theKeyNamesTheInstanceThatTookTheChannelLast_andGoesToTheOtherWhenItLeaves() throws Exception {
        try (SseClient onA = SseClient.subscribe(a.port(), "shared")) {
            b.awaitHolders("shared", "gateway-a");
            assertEquals(hostAndPort(a), holderKey("shared"));
            try (SseClient onB = SseClient.subscribe(b.port(), "shared")) {
                a.awaitHolders("shared", "gateway-a", "gateway-b");
                assertEquals(hostAndPort(b), holderKey("shared"), "the most recent holder");
                // A's refreshes renew its membership but leave the key to B
                Object scoreBefore = REDIS.server().command("ZSCORE", "sse:registry:channel:shared", "gateway-a");
                SseClient.awaitCondition(() -> !scoreBefore.equals(
                        REDIS.server().command("ZSCORE", "sse:registry:channel:shared", "gateway-a")), WAIT,
                        () -> "A did not refresh its membership");
                assertEquals(hostAndPort(b), holderKey("shared"));
                assertEquals(hostAndPort(b), a.lookup("shared").get("gateway").asText());
            }
            b.awaitDisconnects("shared", 1);
            a.awaitHolders("shared", "gateway-a");
            assertEquals(hostAndPort(a), holderKey("shared"), "handed back to the holder that remains");
            long ttl = (Long) REDIS.server().command("PTTL", "channel:shared:gateway");
            assertTrue(ttl > 0 && ttl <= 3000, "expires with A's membership: " + ttl);
        }
        a.awaitHolders("shared");
        assertNull(holderKey("shared"));
    }

    @Test
    void aKeyThatExpiredIsWrittenAgainByTheNextRefresh() throws Exception {
        try (SseClient client = SseClient.subscribe(a.port(), "lost")) {
            b.awaitHolders("lost", "gateway-a");
            REDIS.server().command("DEL", "channel:lost:gateway"); // as if its holder had crashed and it expired
            SseClient.awaitCondition(() -> hostAndPort(a).equals(holderKey("lost")), WAIT,
                    () -> "channel:lost:gateway = " + holderKey("lost"));
            assertEquals(200, client.status());
        }
    }

    @Test
    void aPushWithoutChannelBroadcastsToThisInstance_andNamesTheOthers() throws Exception {
        try (SseClient one = SseClient.subscribe(a.port(), "one");
             SseClient two = SseClient.subscribe(a.port(), "two")) {
            b.awaitHolders("two", "gateway-a");
            Http.Response response = a.post("/push", "{\"event_type\": \"announcement\", \"data\": \"to everyone\"}");
            assertEquals(200, response.status(), response.body());
            JsonNode reply = response.json();
            assertTrue(reply.get("success").asBoolean(), reply.toString());
            assertTrue(reply.get("stream_id").isNull(), "broadcasts are not stored: " + reply);
            assertEquals(2, reply.get("sent_count").asInt(), reply.toString());
            assertEquals("gateway-b", reply.get("elsewhere").get(0).get("instance_id").asText(), reply.toString());
            for (SseClient client : new SseClient[] {one, two}) {
                SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
                assertEquals("announcement", event.type());
                assertEquals("to everyone", event.data());
                assertNull(event.id(), "a broadcast carries no id");
            }
            Http.Response explicitNull = a.post("/push", "{\"channel_id\": null, \"event_type\": \"t\", \"data\": 1}");
            assertEquals(200, explicitNull.status(), explicitNull.body());
            Http.Response store = a.post("/store", "{\"event_type\": \"announcement\", \"data\": \"x\"}");
            assertEquals(400, store.status(), store.body());
            assertTrue(store.json().get("error").asText().contains("broadcasts are never stored"), store.body());
            Http.Response empty = a.post("/push", "{\"channel_id\": \"\", \"event_type\": \"t\", \"data\": 1}");
            assertEquals(400, empty.status(), "an empty channel id is no broadcast: " + empty.body());
        }
    }

    @Test
    void anAddressGivenAsHostAndPortIsAdvertisedAsAUrlAndWrittenAsItWasGiven() throws Exception {
        try (Instance c = Instance.start(REDIS.server(), "gateway-c", "address", "gw-c.internal:9000",
                "channel-ttl", CHANNEL_TTL)) {
            assertEquals("http://gw-c.internal:9000", c.address());
            try (SseClient client = SseClient.subscribe(c.port(), "carol")) {
                c.awaitHolders("carol", "gateway-c");
                assertEquals("http://gw-c.internal:9000", c.lookup("carol").get("instances").get(0).get("address").asText());
                assertEquals("gw-c.internal:9000", holderKey("carol"));
                assertEquals("gw-c.internal:9000", c.lookup("carol").get("gateway").asText());
                assertEquals(200, client.status());
            }
        }
    }

    @Test
    void withOriginalKeysOffNoneIsWritten() throws Exception {
        try (Instance d = Instance.start(REDIS.server(), "gateway-d", "original-keys", "false",
                "channel-ttl", CHANNEL_TTL)) {
            try (SseClient client = SseClient.subscribe(d.port(), "dan")) {
                d.awaitHolders("dan", "gateway-d");
                assertNull(holderKey("dan"));
                assertEquals(hostAndPort(d), d.lookup("dan").get("gateway").asText(), "the field still answers");
                assertEquals(200, client.status());
            }
        }
    }
}
