package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.FlakyStorage;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReplayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final Gateways gateways = new Gateways();
    private Gateway gateway;


    private List<String> publish(String channel, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(Http.publish(gateway.port(), channel, "n", "m" + i));
        }
        return ids;
    }

    private static List<String> data(List<SseClient.Event> events) {
        return events.stream().map(SseClient.Event::data).toList();
    }

    @Test
    void aLongHistoryIsReplayedPageByPageExactlyAndInOrder() throws Exception {
        gateway = gateways.start(TestGateways.builder().replayPageBytes(4096));
        List<String> ids = new ArrayList<>();
        String payload = "x".repeat(700);
        for (int i = 0; i < 40; i++) {
            ids.add(Http.publish(gateway.port(), "paged", "n", i + payload));
        }
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=paged",
                SseClient.options().header("Last-Event-ID", ids.get(4)))) {
            List<SseClient.Event> replayed = client.awaitMessages(35, WAIT);
            assertEquals(ids.subList(5, 40), replayed.stream().map(SseClient.Event::id).toList());
            assertEquals(IntStream.range(5, 40).mapToObj(i -> i + payload).toList(), data(replayed));
        }
        assertEquals(35, gateway.metrics().replayedEvents.sum());
        assertEquals(0, gateway.metrics().replayGaps.sum());
    }

    @Test
    void lastEventIdGivesExactlyTheLaterEventsThenLiveOnes() throws Exception {
        gateway = gateways.start();
        List<String> ids = publish("r", 5);
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=r",
                SseClient.options().header("Last-Event-ID", ids.get(1)))) {
            List<SseClient.Event> replayed = client.awaitMessages(3, WAIT);
            assertEquals(List.of("m2", "m3", "m4"), data(replayed));
            assertEquals(ids.subList(2, 5), replayed.stream().map(SseClient.Event::id).toList());
            Http.publish(gateway.port(), "r", "n", "live");
            assertEquals("live", client.awaitMessages(4, WAIT).get(3).data());
        }
        assertEquals(1, gateway.metrics().replays.sum());
        assertEquals(3, gateway.metrics().replayedEvents.sum());
    }

    @Test
    void headerWinsOverQueryParameter() throws Exception {
        gateway = gateways.start();
        List<String> ids = publish("r", 5);
        try (SseClient client = SseClient.connect(gateway.port(),
                "/sse/connect?channel_id=r&last_event_id=" + Http.encode(ids.get(0)),
                SseClient.options().header("Last-Event-ID", ids.get(3)))) {
            assertEquals(List.of("m4"), data(client.awaitMessages(1, WAIT)));
            Http.publish(gateway.port(), "r", "n", "live");
            assertEquals(List.of("m4", "live"), data(client.awaitMessages(2, WAIT)));
        }
    }

    @Test
    void queryParameterWorksForTheFirstConnect() throws Exception {
        gateway = gateways.start();
        List<String> ids = publish("r", 3);
        try (SseClient client = SseClient.connect(gateway.port(),
                "/sse/connect?channel_id=r&last_event_id=" + Http.encode(ids.get(0)), SseClient.options())) {
            assertEquals(List.of("m1", "m2"), data(client.awaitMessages(2, WAIT)));
        }
    }

    @Test
    void earliestReplaysEverythingRetained() throws Exception {
        gateway = gateways.start();
        publish("r", 4);
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=r&last_event_id=earliest",
                SseClient.options())) {
            assertEquals(List.of("m0", "m1", "m2", "m3"), data(client.awaitMessages(4, WAIT)));
            assertTrue(client.events().stream().noneMatch(e -> e.type().equals("gap")));
        }
    }

    @Test
    void unknownIdGivesAGapThenEverythingRetained() throws Exception {
        gateway = gateways.start();
        List<String> ids = publish("r", 3);
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=r",
                SseClient.options().header("Last-Event-ID", "999-nope"))) {
            List<SseClient.Event> events = client.awaitMessages(4, WAIT);
            assertEquals("gap", events.get(0).type());
            assertNull(events.get(0).id());
            JsonNode gap = Http.JSON.readTree(events.get(0).data());
            assertEquals("999-nope", gap.get("last_event_id").asText());
            assertEquals(ids.get(0), gap.get("earliest_id").asText());
            assertEquals(List.of("m0", "m1", "m2"), data(events.subList(1, 4)));
        }
        assertEquals(1, gateway.metrics().replayGaps.sum());
    }

    @Test
    void anEvictedIdGivesAGapButTheLastEvictedOneDoesNot() throws Exception {
        gateway = gateways.start(TestGateways.builder().storage(new MemoryStorage(3, Duration.ZERO)));
        List<String> ids = publish("r", 6);
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=r",
                SseClient.options().header("Last-Event-ID", ids.get(0)))) {
            List<SseClient.Event> events = client.awaitMessages(4, WAIT);
            assertEquals("gap", events.get(0).type());
            assertEquals(ids.get(3), Http.JSON.readTree(events.get(0).data()).get("earliest_id").asText());
            assertEquals(List.of("m3", "m4", "m5"), data(events.subList(1, 4)));
        }
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=r",
                SseClient.options().header("Last-Event-ID", ids.get(2)))) {
            assertEquals(List.of("m3", "m4", "m5"), data(client.awaitMessages(3, WAIT)));
        }
    }

    @Test
    void anIdOnAChannelWithNoHistoryGivesAGapWithNoEarliest() throws Exception {
        gateway = gateways.start();
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=empty",
                SseClient.options().header("Last-Event-ID", "123-0"))) {
            SseClient.Event gap = client.awaitMessages(1, WAIT).get(0);
            assertEquals("gap", gap.type());
            assertTrue(Http.JSON.readTree(gap.data()).get("earliest_id").isNull());
        }
    }

    @Test
    void broadcastsAreNotReplayed() throws Exception {
        gateway = gateways.start();
        String first = Http.publish(gateway.port(), "r", "n", "stored");
        Http.sendText(gateway.port(), null, "all", "broadcast");
        Http.publish(gateway.port(), "r", "n", "stored too");
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=r",
                SseClient.options().header("Last-Event-ID", first))) {
            assertEquals(List.of("stored too"), data(client.awaitMessages(1, WAIT)));
        }
    }

    @Test
    void aFailedReplayEndsTheStreamSoThatTheClientRetries() throws Exception {
        FlakyStorage broken = new FlakyStorage(new MemoryStorage());
        broken.down();
        gateway = gateways.start(TestGateways.builder().storage(broken));
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=r",
                SseClient.options().header("Last-Event-ID", "1-0"))) {
            assertEquals(200, client.status());
            client.awaitEnd(WAIT);
            assertTrue(client.retryMillis() != null, "the retry line must come first so that the client reconnects");
            assertTrue(client.messages().isEmpty());
        }
        assertEquals(1, gateway.metrics().replayFailures.sum());
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, WAIT, () -> "still registered");
    }

    /** A broker redelivering: each connection sends an id once, and counts the repeats it skipped. */
    @Test
    void aRedeliveredEventIsSentOnce() throws Exception {
        io.ssegateway.host.builtin.ChannelSource bus = new io.ssegateway.host.builtin.ChannelSource();
        gateway = gateways.start(TestGateways.builder().source(bus));
        try (SseClient client = SseClient.subscribe(gateway.port(), "b")) {
            for (String streamId : List.of("100-0", "101-0", "100-0", "101-0", "102-0")) {
                bus.sender().send(io.ssegateway.spi.source.IncomingMessage.toChannel("b", "n", "at " + streamId).withStreamId(streamId));
            }
            assertEquals(List.of("at 100-0", "at 101-0", "at 102-0"), data(client.awaitMessages(3, WAIT)));
            SseClient.awaitCondition(() -> gateway.metrics().duplicatesSkipped.sum() == 2, WAIT,
                    () -> "skipped: " + gateway.metrics().duplicatesSkipped.sum());
            assertEquals(3, client.messages().size(), client.messages().toString());
        }
    }

    /** Across instances without a shared order (a broker without ordering keys), a late event is still delivered. */
    @Test
    void aLateEventThisConnectionNeverSentIsStillSent() throws Exception {
        io.ssegateway.host.builtin.ChannelSource bus = new io.ssegateway.host.builtin.ChannelSource();
        gateway = gateways.start(TestGateways.builder().source(bus));
        try (SseClient client = SseClient.subscribe(gateway.port(), "o")) {
            for (String streamId : List.of("101-0", "100-0", "102-0")) {
                bus.sender().send(io.ssegateway.spi.source.IncomingMessage.toChannel("o", "n", "at " + streamId).withStreamId(streamId));
            }
            assertEquals(List.of("at 101-0", "at 100-0", "at 102-0"), data(client.awaitMessages(3, WAIT)));
        }
        assertEquals(0, gateway.metrics().duplicatesSkipped.sum());
    }

    @Test
    void aLateLiveCopyOfTheClientsLastEventIsNotSentAgain() throws Exception {
        io.ssegateway.host.builtin.ChannelSource bus = new io.ssegateway.host.builtin.ChannelSource();
        gateway = gateways.start(TestGateways.builder().source(bus));
        List<String> ids = publish("late", 3);
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=late",
                SseClient.options().header("Last-Event-ID", ids.get(2)))) {
            SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("late") == 1, WAIT, () -> "not yet");
            // and its replay has read the history: m3, published before that read, would come in the replay and its
            // live copy be skipped as a third duplicate
            SseClient.awaitCondition(() -> gateway.metrics().replayDuration.count() == 1, WAIT, () -> "replay not done");
            // an instance lagging on its bus delivers the last two events after the client reconnected here
            bus.sender().send(io.ssegateway.spi.source.IncomingMessage.toChannel("late", "n", "m1").withStreamId(ids.get(1)));
            bus.sender().send(io.ssegateway.spi.source.IncomingMessage.toChannel("late", "n", "m2").withStreamId(ids.get(2)));
            String next = Http.publish(gateway.port(), "late", "n", "m3");
            SseClient.Event only = client.awaitMessages(1, WAIT).get(0);
            assertEquals("m3", only.data());
            assertEquals(next, only.id());
            assertEquals(1, client.messages().size(), client.messages().toString());
        }
        assertEquals(2, gateway.metrics().duplicatesSkipped.sum());
    }

    /**
     * A publisher runs flat out while 100 clients keep dropping their connections (some with RST) and reconnecting
     * with their Last-Event-ID: each ends with the complete sequence, in order, no duplicate, no gap.
     */
    @Test
    void reconnectingClientsMissNothingWhileAPublisherRunsFlatOut() throws Exception {
        gateway = gateways.start(TestGateways.builder().storage(new MemoryStorage(100_000, Duration.ZERO)));
        int port = gateway.port();
        int clients = 100;
        int reconnectsEach = 15;
        List<SseClient> initial = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            initial.add(SseClient.subscribe(port, "race"));
        }
        SseClient.awaitCondition(() -> gateway.connections().channelConnectionCount("race") == clients, WAIT,
                () -> "registered: " + gateway.connections().channelConnectionCount("race"));

        java.util.concurrent.atomic.AtomicInteger reconnectsDone = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger published = new java.util.concurrent.atomic.AtomicInteger();
        Thread publisher = Thread.ofVirtual().start(() -> {
            while (reconnectsDone.get() < clients * reconnectsEach) {
                Http.publish(port, "race", "seq", Integer.toString(published.getAndIncrement()));
            }
            Http.publish(port, "race", "seq", "end");
        });

        List<Thread> readers = new ArrayList<>();
        List<List<String>> received = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < clients; c++) {
            List<String> got = new ArrayList<>();
            received.add(got);
            SseClient first = initial.get(c);
            int seed = c;
            readers.add(Thread.ofVirtual().start(() -> {
                try {
                    java.util.Random random = new java.util.Random(seed);
                    SseClient client = first;
                    int reconnects = 0;
                    while (true) {
                        int want = 1 + random.nextInt(40);
                        SseClient current = client;
                        SseClient.awaitCondition(() -> current.messages().size() >= want
                                || current.messages().stream().anyMatch(e -> e.data().equals("end")),
                                Duration.ofSeconds(60), () -> "stalled after " + got.size());
                        if (random.nextBoolean()) {
                            current.abort();
                        } else {
                            current.close();
                        }
                        current.joinReader(Duration.ofSeconds(10));
                        current.messages().forEach(e -> got.add(e.data()));
                        if (got.contains("end")) {
                            return;
                        }
                        if (++reconnects <= reconnectsEach) {
                            reconnectsDone.incrementAndGet();
                        }
                        client = SseClient.connect(port, "/sse/connect?channel_id=race",
                                SseClient.options().header("Last-Event-ID", current.lastEventId()));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread reader : readers) {
            reader.join(Duration.ofSeconds(120));
        }
        publisher.join(Duration.ofSeconds(10));
        assertTrue(failures.isEmpty(), "reader failures: " + failures);
        int total = published.get();
        List<String> expected = new ArrayList<>(IntStream.range(0, total).mapToObj(Integer::toString).toList());
        expected.add("end");
        for (int c = 0; c < clients; c++) {
            assertEquals(expected, received.get(c), "client " + c + " (published " + total + ")");
        }
        assertTrue(gateway.metrics().replays.sum() >= (long) clients * reconnectsEach);
        assertEquals(0, gateway.metrics().replayGaps.sum());
    }
}
