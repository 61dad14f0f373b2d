package io.ssegateway.plugin.registry;

import static io.ssegateway.plugin.registry.RegistryFixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.plugin.redis.RedisFixtures;
import io.ssegateway.plugin.registry.RegistryFixtures.Instance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Redis failing under a running gateway with open SSE connections: the registry degrades, then heals by itself. */
class RegistryOutageTest {

    @Test
    void redisRestartedEmpty_theRegistryIsWrittenAgainWithoutAnyClientReconnecting() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Instance gateway = Instance.start(redis, "outage-a");
             SseClient client = SseClient.subscribe(gateway.port(), "kept")) {
            gateway.awaitHolders("kept", "outage-a");

            redis.kill();
            SseClient.awaitCondition(() -> !gateway.source().isAvailable(), WAIT, () -> "the source stayed available");
            SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 503, WAIT,
                    () -> "/ready did not report the outage");
            assertTrue(Http.get(gateway.port(), "/ready").body().contains("channel-registry"));
            Http.Response lookup = gateway.get("/channel/kept");
            assertEquals(503, lookup.status(), lookup.body());
            assertEquals("1", lookup.header("Retry-After"));
            assertTrue(lookup.json().get("error").asText().startsWith("registry unavailable"), lookup.body());
            Http.Response store = gateway.post("/store", RegistryFixtures.body("kept", "t", "x", null));
            assertEquals(503, store.status(), store.body());
            assertFalse(client.ended(), "SSE connections outlive the outage");

            redis.restart(); // empty: persistence is off
            long restartedAt = System.nanoTime();
            gateway.awaitHolders("kept", "outage-a");
            System.out.println("Registry written again " + (System.nanoTime() - restartedAt) / 1_000_000
                    + " ms after the Redis restart");
            SseClient.awaitCondition(() -> gateway.source().isAvailable(), WAIT, () -> "the source stayed unavailable");
            SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 200, WAIT,
                    () -> "/ready stayed 503: " + Http.get(gateway.port(), "/ready").body());
            assertEquals(1L, redis.command("EXISTS", "sse:registry:instance:outage-a"), "the instance record is back");

            String streamId = gateway.push("kept", "t", "after the outage", null).get("stream_id").asText();
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals(streamId, event.id());
        }
    }

    @Test
    void redisUnreachableAtStart_theGatewayStartsAndRegistersOnceRedisAnswers() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            redis.kill();
            ChannelRegistrySource source = RegistryFixtures.source(redis);
            io.ssegateway.host.Gateway gateway = io.ssegateway.host.testkit.TestGateways.builder().instanceId("late")
                    .source(source).storage(RedisFixtures.storage(redis)).build().start();
            try (SseClient client = SseClient.subscribe(gateway.port(), "early-bird")) {
                SseClient.awaitCondition(() -> source.pushPort() > 0, WAIT, () -> "the push API did not start");
                assertFalse(source.isAvailable());
                assertEquals(503, Http.get(gateway.port(), "/ready").status());

                redis.restart();
                SseClient.awaitCondition(source::isAvailable, WAIT, () -> "the source did not become available");
                Http.Response lookup = Http.get(source.pushPort(), "/channel/early-bird");
                assertEquals(200, lookup.status(), lookup.body());
                assertEquals(List.of("late"), RegistryFixtures.ids(lookup.json().get("instances")),
                        "a connection made while Redis was down is registered once it answers");
                assertFalse(client.ended());
            } finally {
                gateway.stop();
            }
        }
    }

    @Test
    void aChannelLeftWhileRedisCouldNotBeWritten_isRemovedOnceRedisAnswers() throws Exception {
        // heartbeats every 333 ms notice the failure quickly
        try (RedisServer redis = RedisServer.start();
             Instance gateway = Instance.start(redis, "outage-b", "instance-ttl", "1s");
             SseClient stays = SseClient.subscribe(gateway.port(), "stays")) {
            SseClient leaves = SseClient.subscribe(gateway.port(), "leaves");
            gateway.awaitHolders("stays", "outage-b");
            gateway.awaitHolders("leaves", "outage-b");

            // scripts block for 5 s: a heartbeat times out (1 s command timeout) and the registry is marked stale,
            // Redis keeping its data meanwhile
            redis.command("CLIENT", "PAUSE", "5000", "WRITE");
            long pausedAt = System.nanoTime();
            SseClient.awaitCondition(() -> !gateway.source().isAvailable(), WAIT, () -> "the failure went unnoticed");
            leaves.close();
            gateway.awaitDisconnects("leaves", 1);
            assertTrue(System.nanoTime() - pausedAt < 4_500_000_000L, "the pause must outlast the disconnection");
            assertFalse(gateway.source().isAvailable(), "a registry it could not update is reported unavailable");

            SseClient.awaitCondition(() -> gateway.source().isAvailable(), WAIT, () -> "the source did not recover");
            assertEquals(List.of(), gateway.holders("leaves"), "the removal is written once Redis answers");
            assertEquals(List.of("outage-b"), gateway.holders("stays"));
            assertEquals(0L, redis.command("EXISTS", "sse:registry:channel:leaves"));
            assertFalse(stays.ended());
        }
    }
}
