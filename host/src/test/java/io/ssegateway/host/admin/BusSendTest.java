package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.source.BusSource;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.storage.MessageStorage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /api/send} with a {@link BusSource}: through the bus when it is up, locally (and said so) when not. */
class BusSendTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /**
     * An in-process bus built like the Redis one: {@code publish} stores the message and hands it, with its stream id,
     * to the gateway's handler, as every instance would receive it.
     */
    static final class InProcessBus implements BusSource {
        volatile boolean up = true;
        final StoringMode mode;
        volatile MessageStorage storage;
        volatile MessageHandler handler;
        final List<IncomingMessage> published = new CopyOnWriteArrayList<>();

        InProcessBus(StoringMode mode) {
            this.mode = mode;
        }

        @Override
        public StoringMode attach(MessageStorage storage) {
            this.storage = storage;
            return mode;
        }

        @Override
        public String publish(IncomingMessage message) throws IOException {
            if (!up) {
                throw new IOException("bus connection refused");
            }
            if ("reserved".equals(message.channelId())) {
                throw new IllegalArgumentException("channel 'reserved' cannot be used on this bus");
            }
            published.add(message);
            if (message.isBroadcast() || mode == StoringMode.EACH_INSTANCE_STORES) {
                handler.handle(message, IfStorageFails.DELIVER_UNSTORED);
                return null;
            }
            String id = storage.append(message.channelId(), new SseEvent(null, message.eventType(), message.data(),
                    message.messageId()));
            handler.handle(message.withStreamId(id), IfStorageFails.DELIVER_UNSTORED);
            return id;
        }

        @Override
        public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel)
                throws InterruptedException {
            this.handler = handler;
            cancel.await();
        }

        @Override
        public boolean isAvailable() {
            return up && handler != null;
        }

        @Override
        public String name() {
            return "in-process-bus";
        }
    }

    private final InProcessBus bus = new InProcessBus(BusSource.StoringMode.BUS_STORES);
    private final MemoryStorage storage = new MemoryStorage();
    @RegisterExtension
    final Gateways gateways = new Gateways();
    private Gateway gateway;

    @BeforeEach
    void start() {
        gateway = gateways.start(TestGateways.builder().source(bus).storage(storage));
        SseClient.awaitCondition(bus::isAvailable, WAIT, () -> "bus not started");
    }


    @Test
    void theGatewayGivesTheBusItsStorageBeforeStart() {
        assertSame(storage, bus.storage);
    }

    @Test
    void sendGoesThroughTheBusAndIsStoredOnce() throws Exception {
        try (SseClient client = SseClient.subscribe(gateway.port(), "c1")) {
            SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("c1") == 1, WAIT, () -> "not registered");
            Http.Response response = Http.sendText(gateway.port(), "c1", "greeting", "hello");
            assertEquals(200, response.status(), response.body());
            assertEquals(1, response.json().get("sent_count").asInt());
            String streamId = response.json().get("stream_id").asText();
            assertEquals(1, bus.published.size());
            assertEquals(streamId, client.awaitMessages(1, WAIT).get(0).id());
            assertEquals(1, storage.messagesAfter("c1", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().size(), "stored once");
        }
    }

    @Test
    void invalidMessagesAreRefusedBeforeTheBus() {
        assertEquals(400, Http.sendText(gateway.port(), "c1", "bad\ntype", "d").status());
        assertTrue(bus.published.isEmpty());
    }

    @Test
    void aMessageTheBusRefusesIsA400() {
        Http.Response response = Http.sendText(gateway.port(), "reserved", "t", "d");
        assertEquals(400, response.status());
        assertTrue(response.json().get("error").asText().contains("reserved"), response.body());
    }

    @Test
    void aBusThatFailsFallsBackToThisInstanceAndSaysSo() throws Exception {
        try (SseClient client = SseClient.subscribe(gateway.port(), "c2")) {
            SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("c2") == 1, WAIT, () -> "not registered");
            bus.up = false;
            Http.Response response = Http.sendText(gateway.port(), "c2", "t", "local");
            assertEquals(200, response.status(), response.body());
            assertTrue(response.json().get("warning").asText().contains("delivered on this instance only"), response.body());
            String streamId = response.json().get("stream_id").asText();
            assertEquals(streamId, client.awaitMessages(1, WAIT).get(0).id(), "stored and delivered locally");
            assertTrue(bus.published.isEmpty());
        }
    }

    @Test
    void broadcastsGoThroughTheBusToo() throws Exception {
        try (SseClient client = SseClient.subscribe(gateway.port(), "c3")) {
            SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("c3") == 1, WAIT, () -> "not registered");
            Http.Response response = Http.sendText(gateway.port(), null, "all", "everyone");
            assertEquals(200, response.status(), response.body());
            assertTrue(response.json().get("stream_id").isNull());
            assertEquals(1, response.json().get("sent_count").asInt());
            assertNull(client.awaitMessages(1, WAIT).get(0).id());
            assertEquals(1, bus.published.size());
        }
    }

    @Test
    void whenEachInstanceStoresEveryMessageGetsABusinessIdSoThatASharedStorageKeepsItOnce() throws Exception {
        InProcessBus carrier = new InProcessBus(BusSource.StoringMode.EACH_INSTANCE_STORES);
        MemoryStorage own = new MemoryStorage();
        Gateway second = gateways.start(TestGateways.builder().source(carrier).storage(own));
        try (SseClient client = SseClient.subscribe(second.port(), "c4")) {
            SseClient.awaitCondition(() -> carrier.isAvailable() && second.connections().channelConnectionCount("c4") == 1,
                    WAIT, () -> "not ready");
            Http.Response response = Http.sendText(second.port(), "c4", "t", "carried");
            assertEquals(200, response.status(), response.body());
            assertTrue(response.json().get("stream_id").isNull(), "the bus did not store it: " + response.body());
            String messageId = carrier.published.get(0).messageId();
            assertNotNull(messageId, "the gateway gives the message a business id before the bus carries it");
            SseClient.Event received = client.awaitMessages(1, WAIT).get(0);
            assertEquals("carried", received.data());
            SseEvent stored = own.messagesAfter("c4", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().get(0);
            assertEquals(messageId, stored.messageId());
            assertEquals(stored.streamId(), received.id(), "the instance stored what the bus brought and sent that id");
        }
    }
}
