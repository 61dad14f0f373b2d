package io.ssegateway.host.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.FlakyStorage;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.storage.MessageStorage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ChannelSourceTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void messagesSentBeforeAndAfterStartAreDeliveredWithIds() throws Exception {
        ChannelSource source = new ChannelSource(16);
        Gateway gateway = gateways.start(TestGateways.builder().source(source));
        try (SseClient client = SseClient.subscribe(gateway.port(), "u1");
             SseClient other = SseClient.subscribe(gateway.port(), "u2")) {
            source.sender().send(IncomingMessage.toChannel("u1", "notification", "{\"n\":1}"));
            assertTrue(source.sender().trySend(IncomingMessage.broadcast("system", "maintenance")));
            List<SseClient.Event> events = client.awaitMessages(2, WAIT);
            assertEquals("{\"n\":1}", events.get(0).data());
            assertTrue(events.get(0).id() != null && events.get(0).id().matches("\\d+-\\d+"));
            assertEquals("maintenance", events.get(1).data());
            assertNull(events.get(1).id());
            assertEquals("maintenance", other.awaitMessages(1, WAIT).get(0).data());
        }
    }

    @Test
    void aFullQueueRefusesTrySendAndTimesOutSend() throws Exception {
        ChannelSource source = new ChannelSource(2);
        assertTrue(source.sender().trySend(IncomingMessage.toChannel("c", "t", "1")));
        assertTrue(source.sender().trySend(IncomingMessage.toChannel("c", "t", "2")));
        assertFalse(source.sender().trySend(IncomingMessage.toChannel("c", "t", "3")));
        assertFalse(source.sender().send(IncomingMessage.toChannel("c", "t", "3"), Duration.ofMillis(50)));
    }

    @Test
    void whenTheStorageFailsTheMessageStillReachesOnlineSubscribers() throws Exception {
        ChannelSource source = new ChannelSource();
        FlakyStorage storage = new FlakyStorage(new MemoryStorage());
        Gateway gateway = gateways.start(TestGateways.builder().source(source).storage(storage));
        try (SseClient client = SseClient.subscribe(gateway.port(), "c")) {
            storage.failNextAppends(1);
            source.sender().send(IncomingMessage.toChannel("c", "t", "not stored"));
            source.sender().send(IncomingMessage.toChannel("c", "t", "stored"));
            List<SseClient.Event> events = client.awaitMessages(2, WAIT);
            assertNull(events.get(0).id());
            assertTrue(events.get(1).id() != null);
            assertEquals(1, gateway.metrics().appendFailures.sum());
            assertEquals(1, gateway.metrics().messagesNotStored.sum());
        }
    }

    @Test
    void aLiveOnlyMessageReachesWhoIsOnlineAndIsNeverStored() throws Exception {
        ChannelSource source = new ChannelSource();
        MemoryStorage storage = new MemoryStorage();
        Gateway gateway = gateways.start(TestGateways.builder().source(source).storage(storage));
        try (SseClient client = SseClient.subscribe(gateway.port(), "c")) {
            source.sender().send(IncomingMessage.toChannel("c", "t", "now or never").liveOnly());
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("now or never", event.data());
            assertNull(event.id());
            assertTrue(storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().isEmpty());
            assertEquals(0, gateway.metrics().appendFailures.sum());
            assertEquals(1, gateway.metrics().messagesNotStored.sum());
        }
    }
}
