package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.NoopSource;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.storage.MessageStorage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Redis frozen (SIGSTOP) while {@code /api/send} waits for it: a timeout is an unknown outcome, said as such; Redis
 * runs the script once it thaws, and a retry with the same business id finds that message instead of adding another.
 */
class StorageFreezeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static void signal(long pid, String signal) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor());
    }

    @Test
    void aTimeoutDuringAFreezeIsUnknownAndTheRetryWithTheSameIdIsIdempotent() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            RedisStreamStorage storage = RedisFixtures.storage(redis, "timeout", "1s");
            Gateway gateway = TestGateways.builder().source(new NoopSource()).storage(storage).build().start();
            String body = "{\"channel_id\":\"orders\",\"event_type\":\"t\",\"data\":\"paid\",\"id\":\"order-42\"}";
            try (SseClient online = SseClient.subscribe(gateway.port(), "orders")) {
                assertEquals(200, Http.postJson(gateway.port(), "/api/send",
                        "{\"channel_id\":\"orders\",\"event_type\":\"t\",\"data\":\"before\"}").status());
                signal(redis.pid(), "STOP");
                Http.Response frozen;
                try {
                    frozen = Http.postJson(gateway.port(), "/api/send", body);
                } finally {
                    signal(redis.pid(), "CONT");
                }
                assertEquals(200, frozen.status(), frozen.body());
                JsonNode reply = frozen.json();
                assertEquals("unknown", reply.get("stored").asText(), frozen.body());
                assertTrue(reply.get("warning").asText().contains("same id is safe"), frozen.body());
                assertTrue(reply.get("stream_id").isNull(), frozen.body());
                online.awaitMessages(2, WAIT);

                // thawed, Redis ran the append it had queued: the retry finds it instead of storing it again
                SseClient.awaitCondition(storage::isAvailable, WAIT, () -> "Redis did not come back");
                Http.Response retried = Http.postJson(gateway.port(), "/api/send", body);
                assertEquals(200, retried.status(), retried.body());
                assertTrue(retried.json().get("stored").asBoolean(), retried.body());
                long copies = storage.messagesAfter("orders", MessageStorage.EARLIEST, Integer.MAX_VALUE).events()
                        .stream().filter(e -> "paid".equals(e.data())).count();
                assertEquals(1, copies, "the retry stored the message a second time");
            } finally {
                gateway.stop();
            }
        }
    }
}
