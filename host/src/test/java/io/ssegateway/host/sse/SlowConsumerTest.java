package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlowConsumerTest {

    private Gateway gateway;

    @AfterEach
    void stop() {
        gateway.stop();
    }

    @Test
    void aClientThatStopsReadingIsClosedWhileOthersReceiveEverything() throws Exception {
        gateway = TestGateways.builder().connectionQueue(32).build().start();
        int port = gateway.port();
        SseClient stalled = SseClient.connect(port, "/sse/connect?channel_id=room",
                SseClient.options().receiveBuffer(2048).dontRead());
        List<SseClient> readers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            readers.add(SseClient.subscribe(port, "room"));
        }
        SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("room") == 101,
                Duration.ofSeconds(10), () -> "subscribers: " + gateway.connections().channelConnectionCount("room"));

        // 16 KB events: the stalled client's socket buffers fill after a few, then its queue of 32 overflows
        String payload = "x".repeat(16 * 1024);
        int events = 200;
        for (int i = 0; i < events; i++) {
            Http.publish(port, "room", "bulk", i + ":" + payload);
        }

        SseClient.awaitCondition(() -> gateway.metrics().slowConsumersDropped.sum() == 1, Duration.ofSeconds(10),
                () -> "slow consumers dropped: " + gateway.metrics().slowConsumersDropped.sum());
        SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("room") == 100,
                Duration.ofSeconds(10), () -> "still registered: " + gateway.connections().channelConnectionCount("room"));
        for (SseClient reader : readers) {
            List<SseClient.Event> received = reader.awaitMessages(events, Duration.ofSeconds(30));
            for (int i = 0; i < events; i++) {
                assertTrue(received.get(i).data().startsWith(i + ":"), "event " + i + " out of order");
            }
            reader.close();
        }
        assertEquals(1, gateway.metrics().slowConsumersDropped.sum());
        stalled.close();
    }

    @Test
    void withAFixedSendBufferAClientThatStopsReadingIsDroppedAfterLittleData() throws Exception {
        // auto-tuned loopback send buffers hold megabytes; 16 KiB ones overflow after a few hundred small events
        gateway = TestGateways.builder().connectionQueue(16).socketSendBuffer(16 * 1024).build().start();
        int port = gateway.port();
        SseClient stalled = SseClient.connect(port, "/sse/connect?channel_id=room",
                SseClient.options().receiveBuffer(2048).dontRead());
        SseClient reader = SseClient.subscribe(port, "room");
        SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("room") == 2,
                Duration.ofSeconds(10), () -> "subscribers: " + gateway.connections().channelConnectionCount("room"));

        String payload = "x".repeat(200);
        int events = 0;
        while (gateway.metrics().slowConsumersDropped.sum() == 0 && events < 2_000) {
            Http.publish(port, "room", "small", events++ + ":" + payload);
        }
        assertEquals(1, gateway.metrics().slowConsumersDropped.sum(), "not dropped after " + events + " events");
        assertTrue(events * 200 < 256 * 1024, "dropped only after " + events + " events of 200 bytes");
        List<SseClient.Event> received = reader.awaitMessages(events, Duration.ofSeconds(30));
        assertEquals(events, received.size());
        reader.close();
        stalled.close();
    }

    @Test
    void aNegativeSendBufferIsRefused() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TestGateways.builder().socketSendBuffer(-1).build());
        assertTrue(e.getMessage().contains("socketSendBuffer"), e.getMessage());
        gateway = TestGateways.started();
    }
}
