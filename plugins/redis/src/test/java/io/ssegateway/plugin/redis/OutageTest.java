package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.Metrics;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Redis killed mid-stream and restarted on the same port, under a running gateway with open SSE connections. */
class OutageTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void redisKilledMidStreamDegradesThenRecoversWithoutARestart() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Gateway gateway = RedisFixtures.gateway(redis);
            try (SseClient client = SseClient.subscribe(gateway.port(), "outage")) {
                RedisFixtures.awaitReady(gateway);
                String before = Http.publish(gateway.port(), "outage", "t", "before");
                assertEquals(before, client.awaitMessages(1, WAIT).get(0).id());

                redis.kill();
                // the storage and the source notice on their own schedules (a failed command, the PING check):
                // wait until /ready names both
                SseClient.awaitCondition(() -> {
                    Http.Response ready = Http.get(gateway.port(), "/ready");
                    return ready.status() == 503 && ready.body().contains("source 'redis'")
                            && ready.body().contains("storage 'redis'");
                }, WAIT, () -> "/ready did not name both: " + Http.get(gateway.port(), "/ready").body());

                // the bus and the storage are down: the message still reaches whoever is online here, without an id
                Http.Response during = Http.sendText(gateway.port(), "outage", "t", "during");
                assertEquals(200, during.status(), during.body());
                assertTrue(during.json().get("warning").asText().contains("not stored"), during.body());
                SseClient.Event live = client.awaitMessages(2, WAIT).get(1);
                assertEquals("during", live.data());
                assertNull(live.id());
                assertTrue(metric(gateway, "sse_append_failures_total") >= 1);
                assertTrue(Http.get(gateway.port(), "/api/stats").json().get("append_failures").asLong() >= 1);
                assertFalse(client.ended(), "the SSE connection outlives the Redis outage");

                redis.restart();
                long restartedAt = System.nanoTime();
                // a publisher using the script every 100 ms: Pub/Sub keeps nothing for absent subscribers, so the
                // first message delivered tells when the gateway was subscribed again
                long deadline = restartedAt + Duration.ofSeconds(5).toNanos();
                long nextPublish = restartedAt;
                int attempt = 0;
                while (client.messages().size() < 3 && System.nanoTime() - deadline < 0) {
                    if (System.nanoTime() - nextPublish >= 0) {
                        attempt++;
                        redis.command("EVAL", RedisStreamStorage.PUBLISH_SCRIPT.source(), "2", "sse:stream:outage",
                                "sse:ids:outage", "sse:outage", "t", "after-" + attempt, "", "1000", "3600000");
                        nextPublish += Duration.ofMillis(100).toNanos();
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                }
                long recovered = System.nanoTime() - restartedAt;
                assertTrue(client.messages().size() >= 3, "nothing delivered within 5 s of the restart");
                System.out.println("Delivery resumed " + recovered / 1_000_000 + " ms after the Redis restart");
                SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 200, WAIT,
                        () -> "/ready stayed 503: " + Http.get(gateway.port(), "/ready").body());

                Http.Response after = Http.sendText(gateway.port(), "outage", "t", "through the bus again");
                assertEquals(200, after.status(), after.body());
                assertFalse(after.json().has("warning"), after.body());
                String streamId = after.json().get("stream_id").asText();
                SseClient.Event back = client.awaitEvent(event -> "through the bus again".equals(event.data()), WAIT);
                assertEquals(streamId, back.id());
                assertTrue(RedisFixtures.streamIds(redis, "sse:stream:outage").contains(streamId));
            } finally {
                gateway.stop();
            }
        }
    }

    private static long metric(Gateway gateway, String name) {
        return (long) Metrics.value(gateway.port(), name);
    }
}
