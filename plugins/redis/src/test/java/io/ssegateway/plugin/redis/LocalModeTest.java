package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.spi.storage.MessageStorage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Redis source with a storage that is not Redis (memory): the bus carries, each instance stores for itself. */
class LocalModeTest extends GatewaysOnRedis {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Override
    protected MessageStorage storage() {
        return new MemoryStorage();
    }

    @Test
    void apiSendReachesEveryInstanceAndEachStoresItInItsOwnHistory() throws Exception {
        String lastSeen;
        try (SseClient onA = SseClient.subscribe(a.port(), "local"); SseClient onB = SseClient.subscribe(b.port(), "local")) {
            Http.Response response = Http.sendText(b.port(), "local", "t", "first");
            assertEquals(200, response.status(), response.body());
            assertTrue(response.json().get("stream_id").isNull(), "each instance assigns its own id: " + response.body());
            assertNotNull(onA.awaitMessages(1, WAIT).get(0).id(), "A stored it in its memory storage");
            assertNotNull(onB.awaitMessages(1, WAIT).get(0).id());
            lastSeen = onA.lastEventId();
        }
        Http.publish(a.port(), "local", "t", "second");
        redis.command("PUBLISH", "sse:local", "plain text from a backend");
        try (SseClient again = SseClient.connect(a.port(), "/sse/connect?channel_id=local",
                SseClient.options().header("Last-Event-ID", lastSeen))) {
            List<SseClient.Event> missed = again.awaitMessages(2, WAIT);
            assertEquals(List.of("second", "plain text from a backend"), missed.stream().map(SseClient.Event::data).toList());
        }
        assertEquals(List.of(), redis.command("KEYS", "sse:stream:*"), "nothing is written to Redis streams");
    }
}
