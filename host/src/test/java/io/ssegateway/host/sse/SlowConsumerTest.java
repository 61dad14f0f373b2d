package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SlowConsumerTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();
    private Gateway gateway;

    @Test
    void aClientThatStopsReadingIsClosedWhileOthersReceiveEverything() throws Exception {
        gateway = gateways.start(TestGateways.builder().connectionQueue(32));
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

    /**
     * The case: noop storage, one subscriber that never reads, 400 messages of 1 MiB. With the queue bounded in
     * events only (1,024), all of them waited in the heap (413 MB); bounded in bytes, the client is dropped after a
     * few megabytes.
     */
    @Test
    void theQueueIsBoundedInBytesAsWellAsInEvents() throws Exception {
        gateway = gateways.start(TestGateways.builder().storage(new io.ssegateway.host.builtin.NoopStorage())
                .connectionQueue(1024).connectionQueueBytes(4L << 20).socketSendBuffer(64 * 1024)
                .maxMessageBytes(1 << 20));
        int port = gateway.port();
        try (SseClient stalled = SseClient.connect(port, "/sse/connect?channel_id=big",
                SseClient.options().receiveBuffer(2048).dontRead())) {
            SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("big") == 1,
                    Duration.ofSeconds(10), () -> "not subscribed");
            String megabyte = "y".repeat((1 << 20) - 64);
            long maxQueued = 0;
            int sent = 0;
            while (sent < 400 && gateway.metrics().slowConsumersDropped.sum() == 0) {
                Http.publish(port, "big", "bulk", sent++ + megabyte);
                for (var subscriber : queuedBytes()) {
                    maxQueued = Math.max(maxQueued, subscriber);
                }
            }
            assertEquals(1, gateway.metrics().slowConsumersDropped.sum(), "not dropped after " + sent + " MiB");
            assertTrue(sent < 20, "dropped only after " + sent + " MiB");
            assertTrue(maxQueued <= 4L << 20, "queued " + maxQueued + " bytes");
            System.out.println("SlowConsumerTest: dropped after " + sent + " messages of 1 MiB, at most " + maxQueued
                    + " bytes queued");
        }
    }

    private List<Long> queuedBytes() {
        List<Long> bytes = new ArrayList<>();
        ((io.ssegateway.host.channel.Subscriptions) gateway.connections()).forEach(s -> bytes.add(s.queuedBytes()));
        return bytes;
    }

    @Test
    void aQueueOfLessThanAKibibyteIsRefused() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TestGateways.builder().connectionQueueBytes(10).build());
        assertTrue(e.getMessage().contains("connectionQueueBytes"), e.getMessage());
    }

    @Test
    void withAFixedSendBufferAClientThatStopsReadingIsDroppedAfterLittleData() throws Exception {
        // auto-tuned loopback send buffers hold megabytes; 16 KiB ones overflow after a few hundred small events
        gateway = gateways.start(TestGateways.builder().connectionQueue(16).socketSendBuffer(16 * 1024));
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
        gateway = gateways.start();
    }
}
