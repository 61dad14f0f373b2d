package io.ssegateway.plugin.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The NATS source with each instance's own memory storage: the stream only carries the messages. */
class NatsLocalModeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final NatsPerClass NATS = new NatsPerClass();

    @Test
    void everyInstanceStoresWhatItReceivesInItsOwnStorage() throws Exception {
        Gateway a = TestGateways.builder().source(NatsFixtures.source(NATS.server())).storage(new MemoryStorage()).build().start();
        Gateway b = TestGateways.builder().source(NatsFixtures.source(NATS.server())).storage(new MemoryStorage()).build().start();
        try {
            NatsFixtures.awaitReady(a);
            NatsFixtures.awaitReady(b);
            try (SseClient onA = SseClient.subscribe(a.port(), "local"); SseClient onB = SseClient.subscribe(b.port(), "local")) {
                Http.Response sent = Http.sendText(b.port(), "local", "t", "carried");
                assertEquals(200, sent.status(), sent.body());
                assertTrue(sent.json().get("stream_id").isNull(), "each instance has its own ids: " + sent.body());
                for (SseClient client : List.of(onA, onB)) {
                    SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
                    assertEquals("carried", event.data());
                    assertNotNull(event.id(), "stored by the instance's own storage");
                }
            }
            // one copy in the stream, with the random business id /api/send gave it
            assertEquals(1, NatsFixtures.messagesOn(NATS.server(), "SSE", "sse.local"));
            try (SseClient replay = SseClient.connect(a.port(), "/sse/connect?channel_id=local&last_event_id=earliest",
                    SseClient.options())) {
                assertEquals("carried", replay.awaitMessages(1, WAIT).get(0).data());
            }
        } finally {
            a.stop();
            b.stop();
        }
    }
}
