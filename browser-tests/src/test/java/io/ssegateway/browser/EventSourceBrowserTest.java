package io.ssegateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.SseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A browser's own {@code EventSource}, on a page of another origin, against a running gateway. */
class EventSourceBrowserTest {

    @RegisterExtension
    static final BrowserSession SESSION = new BrowserSession();

    /** One event as the page's EventSource dispatched it. */
    record Received(String type, String data, String lastEventId) {
    }

    private Gateway start(Gateway.Builder builder) {
        Gateway gateway = builder.build().start();
        SESSION.started(gateway);
        return gateway;
    }

    private void openPage(Gateway gateway, String channel, String types) {
        SESSION.browser().open(SESSION.pages().url("eventsource.html?gateway=" + Http.encode("http://127.0.0.1:" + gateway.port())
                + "&channel=" + Http.encode(channel) + "&types=" + Http.encode(types)));
    }

    @SuppressWarnings("unchecked")
    private List<Received> received() {
        List<Map<String, String>> raw = (List<Map<String, String>>) SESSION.browser().script("return window.received;");
        return raw.stream().map(event -> new Received(event.get("type"), event.get("data"), event.get("lastEventId")))
                .toList();
    }

    private List<Received> awaitReceived(int count) {
        SESSION.browser().await(() -> received().size() >= count, () -> "expected " + count + " events, got " + received());
        return received();
    }

    private long opens() {
        return (Long) SESSION.browser().script("return window.opens;");
    }

    @Test
    void eventSourceReceivesChannelEventsAndBroadcasts() {
        Gateway gateway = start(TestGateways.builder());
        openPage(gateway, "room-1", "news");
        SESSION.browser().await(() -> gateway.connections().channelConnectionCount("room-1") == 1 && opens() == 1,
                () -> "the page did not subscribe");

        String first = Http.publish(gateway.port(), "room-1", "news", "first");
        Http.publish(gateway.port(), "room-2", "news", "for another channel");
        assertEquals(200, Http.sendText(gateway.port(), null, "message", "to everyone").status());
        String second = Http.publish(gateway.port(), "room-1", "message", "line one\nline two");

        List<Received> events = awaitReceived(3);
        assertEquals(List.of(
                new Received("news", "first", first),
                // a broadcast has no id: the browser's Last-Event-ID stays where it was
                new Received("message", "to everyone", first),
                new Received("message", "line one\nline two", second)), events);
        assertEquals(1, opens(), "the stream must not have been reconnected");
    }

    /** One EventSource, two channels: enveloped events, and the browser's own reconnect resumes both exactly. */
    @Test
    void oneEventSourceReadsSeveralChannelsAndItsReconnectResumesThemAll() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        Gateway before = start(TestGateways.builder().storage(storage).retry(Duration.ofMillis(200)).retryJitter(Duration.ZERO));
        int port = before.port();
        SESSION.browser().open(SESSION.pages().url("eventsource.html?gateway=" + Http.encode("http://127.0.0.1:" + port)
                + "&channel=orders&channel=alerts&types=order"));
        SESSION.browser().await(() -> before.connections().connectionCount() == 1 && !received().isEmpty(),
                () -> "the page did not subscribe");
        Http.publish(port, "orders", "order", "o1");
        Http.publish(port, "alerts", "order", "a1");
        awaitReceived(3);

        before.stop();
        SESSION.browser().await(() -> !"open".equals(SESSION.browser().text("#state")), () -> "the page did not notice the drop");
        storage.append("alerts", SseEvent.of("order", "a2"));
        storage.append("orders", SseEvent.of("order", "o2"));
        Gateway after = start(TestGateways.builder().port(port).storage(storage).retry(Duration.ofMillis(200)).retryJitter(Duration.ZERO));
        SESSION.browser().await(() -> after.connections().connectionCount() == 1, () -> "the browser did not reconnect");
        Http.publish(port, "orders", "order", "o3");

        SESSION.browser().await(() -> received().stream().filter(event -> event.type().equals("order")).count() == 5,
                () -> "got " + received());
        List<String> orders = new ArrayList<>();
        for (Received event : received()) {
            if (event.type().equals("order")) {
                var envelope = Http.JSON.readTree(event.data());
                orders.add(envelope.get("channel").asText() + ":" + envelope.get("data").asText());
                assertTrue(event.lastEventId().startsWith("m1."), event.lastEventId());
            }
        }
        // replayed channel by channel (alerts sorts first), then live
        assertEquals(List.of("orders:o1", "alerts:a1", "alerts:a2", "orders:o2", "orders:o3"), orders);
        assertEquals(1, after.metrics().replays.sum(), "the browser came back with the cursor as Last-Event-ID");
        assertEquals(0, after.metrics().replayGaps.sum());
        assertTrue(received().stream().noneMatch(event -> event.type().equals("gap")));
    }

    @Test
    void browserReconnectsWithLastEventIdAfterTheGatewayRestarts() {
        MemoryStorage storage = new MemoryStorage();
        // a short retry: the browser reconnects on its own, every 200 ms while the gateway is away
        Gateway.Builder builder = TestGateways.builder().storage(storage).retry(Duration.ofMillis(200)).retryJitter(Duration.ZERO);
        Gateway before = start(builder);
        int port = before.port();
        openPage(before, "orders", "order");
        SESSION.browser().await(() -> before.connections().connectionCount() == 1, () -> "the page did not subscribe");

        List<String> ids = new ArrayList<>();
        ids.add(Http.publish(port, "orders", "order", "before-1"));
        ids.add(Http.publish(port, "orders", "order", "before-2"));
        awaitReceived(2);

        before.stop();
        SESSION.browser().await(() -> !"open".equals(SESSION.browser().text("#state")), () -> "the page did not notice the drop");
        // while no gateway listens, another instance sharing the storage keeps publishing
        ids.add(storage.append("orders", SseEvent.of("order", "during-1")));
        ids.add(storage.append("orders", SseEvent.of("order", "during-2")));

        Gateway after = start(TestGateways.builder().port(port).storage(storage).retry(Duration.ofMillis(200)).retryJitter(Duration.ZERO));
        // published while the browser may still be reconnecting: it must come exactly once, by replay or live
        ids.add(Http.publish(port, "orders", "order", "restarted-1"));
        SESSION.browser().await(() -> after.connections().connectionCount() == 1, () -> "the browser did not reconnect");
        ids.add(Http.publish(port, "orders", "order", "after-1"));
        ids.add(Http.publish(port, "orders", "order", "after-2"));

        List<Received> events = awaitReceived(7);
        assertEquals(List.of("before-1", "before-2", "during-1", "during-2", "restarted-1", "after-1", "after-2"),
                events.stream().map(Received::data).toList());
        assertEquals(ids, events.stream().map(Received::lastEventId).toList());
        assertEquals(7, new HashSet<>(ids).size(), "stream ids must be distinct: " + ids);
        ids.forEach(id -> assertNotNull(id, "every stored event has an id"));
        // the browser came back with Last-Event-ID: the new gateway answered with a replay, not with everything
        assertEquals(1, after.metrics().replays.sum(), "the reconnect must ask for a replay");
        assertEquals(0, after.metrics().replayGaps.sum(), "the replay must reach back to the browser's id");
        assertTrue(after.metrics().replayedEvents.sum() >= 2, "the events published while down come from history");
        assertTrue(opens() >= 2, "the EventSource must have reopened");
        // nothing more arrives later (no duplicate delivered after the check)
        Http.publish(port, "orders", "order", "last");
        assertEquals("last", awaitReceived(8).get(7).data());
    }
}
