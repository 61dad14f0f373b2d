package io.ssegateway.host.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.FlakyStorage;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.source.IncomingMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelSourceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void messagesSentBeforeAndAfterStartAreDeliveredWithIds() throws Exception {
        ChannelSource source = new ChannelSource(16);
        Gateway gateway = TestGateways.builder().source(source).build().start();
        try (SseClient client = SseClient.subscribe(gateway.port(), "u1");
             SseClient other = SseClient.subscribe(gateway.port(), "u2")) {
            source.sender().send(IncomingMessage.of("notification", "{\"n\":1}").withChannel("u1"));
            assertTrue(source.sender().trySend(IncomingMessage.broadcast("system", "maintenance")));
            List<SseClient.Event> events = client.awaitMessages(2, WAIT);
            assertEquals("{\"n\":1}", events.get(0).data());
            assertTrue(events.get(0).id() != null && events.get(0).id().matches("\\d+-\\d+"));
            assertEquals("maintenance", events.get(1).data());
            assertNull(events.get(1).id());
            assertEquals("maintenance", other.awaitMessages(1, WAIT).get(0).data());
        } finally {
            gateway.stop();
        }
    }

    @Test
    void aFullQueueRefusesTrySendAndTimesOutSend() throws Exception {
        ChannelSource source = new ChannelSource(2);
        assertTrue(source.sender().trySend(IncomingMessage.of("t", "1").withChannel("c")));
        assertTrue(source.sender().trySend(IncomingMessage.of("t", "2").withChannel("c")));
        assertFalse(source.sender().trySend(IncomingMessage.of("t", "3").withChannel("c")));
        assertFalse(source.sender().send(IncomingMessage.of("t", "3").withChannel("c"), Duration.ofMillis(50)));
    }

    @Test
    void whenTheStorageFailsTheMessageStillReachesOnlineSubscribers() throws Exception {
        ChannelSource source = new ChannelSource();
        FlakyStorage storage = new FlakyStorage(new MemoryStorage());
        Gateway gateway = TestGateways.builder().source(source).storage(storage).build().start();
        try (SseClient client = SseClient.subscribe(gateway.port(), "c")) {
            storage.failNextAppends(1);
            source.sender().send(IncomingMessage.of("t", "not stored").withChannel("c"));
            source.sender().send(IncomingMessage.of("t", "stored").withChannel("c"));
            List<SseClient.Event> events = client.awaitMessages(2, WAIT);
            assertNull(events.get(0).id());
            assertTrue(events.get(1).id() != null);
            assertEquals(1, gateway.metrics().appendFailures.sum());
            assertEquals(1, gateway.metrics().messagesNotStored.sum());
        } finally {
            gateway.stop();
        }
    }
}
