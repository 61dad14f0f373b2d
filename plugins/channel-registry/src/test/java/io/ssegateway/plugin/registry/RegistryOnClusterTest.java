package io.ssegateway.plugin.registry;

import static io.ssegateway.plugin.registry.RegistryFixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.plugin.registry.RegistryFixtures.Instance;
import io.ssegateway.redis.RedisCluster;
import io.ssegateway.redis.RedisClusterPerClass;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The channel registry and the Redis storage on a real 3-master, 3-replica Redis Cluster, two instances: the cluster
 * key layout's keys, a lookup and a push across instances, and the original key handed over when a holder leaves.
 */
class RegistryOnClusterTest {
    // the agent's flow is DirectPushTest's: look up (any instance), push to the holder named

    @RegisterExtension
    static final RedisClusterPerClass CLUSTER = new RedisClusterPerClass();

    private static RedisCluster cluster;
    private static Instance a;
    private static Instance b;

    @BeforeAll
    static void start() {
        cluster = CLUSTER.cluster();
        a = Instance.start(cluster.url(), "gateway-a", "instance-ttl", "3s");
        b = Instance.start(cluster.url(), "gateway-b", "instance-ttl", "3s");
    }

    @AfterAll
    static void stop() {
        Instance.closeStarted(a, b);
    }

    @Test
    void aChannelHeldOnBIsFoundAndPushedToThroughA_withEveryKeyOfTheChannelInOneSlot() throws Exception {
        try (SseClient onB = SseClient.subscribe(b.port(), "carol")) {
            a.awaitHolders("carol", "gateway-b");
            assertEquals(b.address(), a.lookup("carol").get("instances").get(0).get("address").asText());
            assertEquals(1L, cluster.command("sse:registry:channel:{carol}", "ZCARD", "sse:registry:channel:{carol}"));
            assertEquals("127.0.0.1:" + b.pushPort(), cluster.command("channel:{carol}:gateway", "GET",
                    "channel:{carol}:gateway"), "the original gateway's key, in the channel's slot");
            assertEquals(1L, cluster.command("sse:registry:{instances}", "EXISTS", "sse:registry:{instances}:gateway-b"),
                    "the instance records share the index's slot");

            JsonNode missed = a.push("carol", "notification", "hello", "n-1");
            assertFalse(missed.get("online").asBoolean(), missed.toString());
            assertEquals(java.util.List.of("gateway-b"), RegistryFixtures.ids(missed.get("elsewhere")),
                    "A names the holder: " + missed);
            JsonNode reply = b.push("carol", "notification", "hello", "n-1");
            assertTrue(reply.get("online").asBoolean(), reply.toString());
            assertEquals(missed.get("stream_id").asText(), reply.get("stream_id").asText(), "the same id, stored once");
            SseClient.Event event = onB.awaitMessages(1, WAIT).getFirst();
            assertEquals("hello", event.data());
            assertEquals(reply.get("stream_id").asText(), event.id());
            assertEquals(1L, cluster.command("sse:stream:{carol}", "XLEN", "sse:stream:{carol}"), "stored once");
        }
        a.awaitHolders("carol");
        assertFalse(a.lookup("carol").get("online").asBoolean());
        assertEquals(0L, cluster.command("sse:registry:channel:{carol}", "EXISTS", "sse:registry:channel:{carol}"));
        assertEquals(0L, cluster.command("channel:{carol}:gateway", "EXISTS", "channel:{carol}:gateway"),
                "nobody is left to hand the original key to");
    }

    @Test
    void theOriginalKeyGoesToTheRemainingHolderWhenItsHolderLeaves() throws Exception {
        try (SseClient onA = SseClient.subscribe(a.port(), "dave")) {
            b.awaitHolders("dave", "gateway-a");
            try (SseClient onB = SseClient.subscribe(b.port(), "dave")) {
                a.awaitHolders("dave", "gateway-a", "gateway-b");
                assertEquals("127.0.0.1:" + b.pushPort(), cluster.command("channel:{dave}:gateway", "GET",
                        "channel:{dave}:gateway"), "the instance that took the channel last");
            }
            a.awaitHolders("dave", "gateway-a");
            SseClient.awaitCondition(() -> ("127.0.0.1:" + a.pushPort()).equals(cluster.command("channel:{dave}:gateway",
                    "GET", "channel:{dave}:gateway")), WAIT, () -> "the key was not handed to A");
        }
    }

    @Test
    void walkingTheHeldChannelsIsRefusedWithAReason() {
        Http.Response response = a.get("/channels");
        assertEquals(501, response.status(), response.body());
        assertTrue(response.body().contains("cluster key layout"), response.body());
    }
}
