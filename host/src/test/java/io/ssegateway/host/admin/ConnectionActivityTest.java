package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code is_active} and {@code queued} per connection in {@code /api/stats}. */
class ConnectionActivityTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void aConnectionThatFallsBehindIsInactiveBeforeItIsDropped() throws Exception {
        Gateway gateway = gateways.start(TestGateways.builder().connectionQueue(8).socketSendBuffer(4096));
        int port = gateway.port();
        try (SseClient stalled = SseClient.connect(port, "/sse/connect?channel_id=room",
                SseClient.options().receiveBuffer(2048).dontRead());
             SseClient reader = SseClient.subscribe(port, "room")) {
            SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("room") == 2, WAIT,
                    () -> "subscribers: " + gateway.connections().channelConnectionCount("room"));
            JsonNode connections = connections(port);
            assertTrue(connections.get(0).get("is_active").asBoolean(), connections.toString());
            assertTrue(connections.get(1).get("is_active").asBoolean(), connections.toString());
            assertEquals(0, connections.get(0).get("queued").asInt(), connections.toString());

            // 16 KiB events: the stalled client's socket buffers fill with the first, then its queue of 8 grows
            String payload = "x".repeat(16 * 1024);
            int published = 0;
            while (connections.get(0).get("queued").asInt() < 4 && published < 100) {
                Http.publish(port, "room", "bulk", published++ + ":" + payload);
                connections = connections(port);
            }
            assertEquals(4, connections.get(0).get("queued").asInt(), "after " + published + ": " + connections);
            assertFalse(connections.get(0).get("is_active").asBoolean(), "half of its queue waits: " + connections);
            assertTrue(connections.get(1).get("is_active").asBoolean(), "the reader keeps up: " + connections);
            assertEquals(0, gateway.metrics().slowConsumersDropped.sum(), "not yet dropped");
            assertEquals(published, reader.awaitMessages(published, WAIT).size());
        }
    }

    /** The page of {@code room}'s connections, oldest first. */
    private static JsonNode connections(int port) {
        return Http.get(port, "/api/stats?channel=room").json().get("connections");
    }
}
