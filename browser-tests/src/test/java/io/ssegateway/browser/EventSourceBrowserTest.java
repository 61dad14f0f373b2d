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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A browser's own {@code EventSource}, on a page of another origin, against a running gateway. */
class EventSourceBrowserTest {

    private static PageServer pages;
    private static Browser browser;
    private final List<Gateway> gateways = new ArrayList<>();

    /** One event as the page's EventSource dispatched it. */
    record Received(String type, String data, String lastEventId) {
    }

    @BeforeAll
    static void startBrowser() {
        pages = new PageServer();
        browser = new Browser();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (pages != null) {
            pages.close();
        }
    }

    @AfterEach
    void stopGateways() {
        browser.open("about:blank");
        gateways.forEach(Gateway::stop);
    }

    private Gateway start(Gateway.Builder builder) {
        Gateway gateway = builder.build().start();
        gateways.add(gateway);
        return gateway;
    }

    private void openPage(Gateway gateway, String channel, String types) {
        browser.open(pages.url("eventsource.html?gateway=" + Http.encode("http://127.0.0.1:" + gateway.port())
                + "&channel=" + Http.encode(channel) + "&types=" + Http.encode(types)));
    }

    @SuppressWarnings("unchecked")
    private List<Received> received() {
        List<Map<String, String>> raw = (List<Map<String, String>>) browser.script("return window.received;");
        return raw.stream().map(event -> new Received(event.get("type"), event.get("data"), event.get("lastEventId")))
                .toList();
    }

    private List<Received> awaitReceived(int count) {
        browser.await(() -> received().size() >= count, () -> "expected " + count + " events, got " + received());
        return received();
    }

    private long opens() {
        return (Long) browser.script("return window.opens;");
    }

    @Test
    void eventSourceReceivesChannelEventsAndBroadcasts() {
        Gateway gateway = start(TestGateways.builder());
        openPage(gateway, "room-1", "news");
        browser.await(() -> gateway.connections().channelConnectionCount("room-1") == 1 && opens() == 1,
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

    @Test
    void browserReconnectsWithLastEventIdAfterTheGatewayRestarts() {
        MemoryStorage storage = new MemoryStorage();
        // a short retry: the browser reconnects on its own, every 200 ms while the gateway is away
        Gateway.Builder builder = TestGateways.builder().storage(storage).retry(Duration.ofMillis(200), Duration.ZERO);
        Gateway before = start(builder);
        int port = before.port();
        openPage(before, "orders", "order");
        browser.await(() -> before.connections().connectionCount() == 1, () -> "the page did not subscribe");

        List<String> ids = new ArrayList<>();
        ids.add(Http.publish(port, "orders", "order", "before-1"));
        ids.add(Http.publish(port, "orders", "order", "before-2"));
        awaitReceived(2);

        before.stop();
        browser.await(() -> !"open".equals(browser.text("#state")), () -> "the page did not notice the drop");
        // while no gateway listens, another instance sharing the storage keeps publishing
        ids.add(storage.append("orders", SseEvent.of("order", "during-1")));
        ids.add(storage.append("orders", SseEvent.of("order", "during-2")));

        Gateway after = start(TestGateways.builder().port(port).storage(storage).retry(Duration.ofMillis(200), Duration.ZERO));
        // published while the browser may still be reconnecting: it must come exactly once, by replay or live
        ids.add(Http.publish(port, "orders", "order", "restarted-1"));
        browser.await(() -> after.connections().connectionCount() == 1, () -> "the browser did not reconnect");
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
