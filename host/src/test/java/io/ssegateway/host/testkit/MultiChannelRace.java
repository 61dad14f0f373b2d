package io.ssegateway.host.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The multi-channel resume race: a publisher runs flat out on 5 channels while clients subscribed to 3 of them each
 * keep dropping their connections (half of the time with RST) and reconnecting with the last id they saw, to the
 * gateways in turn. In the end every client must hold, per channel, exactly the events published there, in order:
 * no duplicate, no gap.
 */
public final class MultiChannelRace {

    private static final int CHANNELS = 5;
    private static final int PER_CLIENT = 3;
    private static final String END = "end";

    private MultiChannelRace() {
    }

    /** Clients connect before anything is published: each must end with every event of its channels. */
    public static void run(String prefix, int publishPort, int[] ports, int clients, int reconnectsEach) throws Exception {
        run(prefix, publishPort, ports, clients, reconnectsEach, false);
    }

    /**
     * @param publishPort         the gateway the publisher sends to
     * @param ports               the gateways clients connect to, in turn
     * @param connectWhilePublishing clients make their first connect (without Last-Event-ID) while the publisher
     *                            runs: each must end, per channel, with an unbroken run of events up to the last
     *                            (where a first connect starts is exact, or the resumes would repeat or miss events)
     */
    public static void run(String prefix, int publishPort, int[] ports, int clients, int reconnectsEach,
                           boolean connectWhilePublishing) throws Exception {
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < CHANNELS; i++) {
            channels.add(prefix + "-" + i);
        }
        AtomicInteger reconnectsDone = new AtomicInteger();
        int[] published = new int[CHANNELS];
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        Runnable publishing = () -> {
            try {
                for (int n = 0; reconnectsDone.get() < clients * reconnectsEach; n++) {
                    int channel = n % CHANNELS;
                    Http.publish(publishPort, channels.get(channel), "seq", Integer.toString(published[channel]++));
                }
                for (String channel : channels) {
                    Http.publish(publishPort, channel, "seq", END);
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        };
        Thread publisher = connectWhilePublishing ? Thread.ofVirtual().start(publishing) : null;

        List<List<String>> subscriptions = new ArrayList<>();
        List<SseClient> initial = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            List<String> mine = new ArrayList<>();
            for (int k = 0; k < PER_CLIENT; k++) {
                mine.add(channels.get((c + k) % CHANNELS));
            }
            subscriptions.add(mine);
            SseClient client = SseClient.connect(ports[c % ports.length], path(mine), SseClient.options());
            assertEquals(200, client.status());
            initial.add(client);
        }
        List<String> subscribedIds = new ArrayList<>();
        for (SseClient client : initial) {
            // where each channel stood when the client connected
            subscribedIds.add(client.awaitEvent(event -> event.type().equals("subscribed"), Duration.ofSeconds(30)).id());
        }

        if (publisher == null) {
            publisher = Thread.ofVirtual().start(publishing);
        }

        List<Map<String, List<String>>> received = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Map<String, List<String>> got = new HashMap<>();
            received.add(got);
            List<String> mine = subscriptions.get(c);
            SseClient first = initial.get(c);
            int seed = c;
            readers.add(Thread.ofVirtual().start(() -> {
                try {
                    Random random = new Random(seed);
                    SseClient client = first;
                    int reconnects = 0;
                    while (true) {
                        int want = 1 + random.nextInt(40);
                        SseClient current = client;
                        SseClient.awaitCondition(() -> seq(current).size() >= want || current.ended()
                                        || endsSeen(got, current) == mine.size(),
                                Duration.ofSeconds(60), () -> "stalled on " + mine + " after " + got);
                        if (random.nextBoolean()) {
                            current.abort();
                        } else {
                            current.close();
                        }
                        current.joinReader(Duration.ofSeconds(10));
                        for (SseClient.Event event : seq(current)) {
                            JsonNode envelope = envelope(event);
                            got.computeIfAbsent(envelope.get("channel").asText(), k -> new ArrayList<>())
                                    .add(envelope.get("data").asText());
                        }
                        if (mine.stream().allMatch(channel -> got.getOrDefault(channel, List.of()).contains(END))) {
                            return;
                        }
                        if (++reconnects <= reconnectsEach) {
                            reconnectsDone.incrementAndGet();
                        }
                        client = SseClient.connect(ports[(seed + reconnects) % ports.length], path(mine),
                                SseClient.options().header("Last-Event-ID", current.lastEventId()));
                        assertEquals(200, client.status());
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread reader : readers) {
            reader.join(Duration.ofSeconds(150));
        }
        publisher.join(Duration.ofSeconds(10));
        assertTrue(failures.isEmpty(), "failures: " + failures);
        for (int count : published) {
            assertTrue(count >= reconnectsEach, "the publisher hardly ran: " + java.util.Arrays.toString(published));
        }
        for (int c = 0; c < clients; c++) {
            for (String channel : subscriptions.get(c)) {
                int count = published[channels.indexOf(channel)];
                List<String> got = received.get(c).get(channel);
                // connected while publishing: from the first event it got
                int first = connectWhilePublishing && got != null && !got.get(0).equals(END)
                        ? Integer.parseInt(got.get(0)) : 0;
                List<String> expected = new ArrayList<>();
                for (int n = first; n < count; n++) {
                    expected.add(Integer.toString(n));
                }
                expected.add(END);
                assertEquals(expected, got, "client " + c + ", channel " + channel);
            }
            assertEquals(Set.copyOf(subscriptions.get(c)), received.get(c).keySet(), "client " + c + " got other channels");
            // what followed the positions of the client's first connect, per channel: exactly what it received
            try (SseClient check = SseClient.connect(ports[c % ports.length], path(subscriptions.get(c)),
                    SseClient.options().header("Last-Event-ID", subscribedIds.get(c)))) {
                SseClient.awaitCondition(() -> endsSeen(Map.of(), check) == PER_CLIENT, Duration.ofSeconds(30),
                        () -> "the replay from the first position did not reach the end");
                Map<String, List<String>> replayed = new HashMap<>();
                for (SseClient.Event event : seq(check)) {
                    JsonNode envelope = envelope(event);
                    replayed.computeIfAbsent(envelope.get("channel").asText(), k -> new ArrayList<>())
                            .add(envelope.get("data").asText());
                }
                int client = c;
                assertEquals(received.get(c), replayed, () -> "client " + client + ": a replay from where it first"
                        + " connected (" + subscribedIds.get(client) + "), gaps: " + check.events().stream()
                        .filter(event -> event.type().equals("gap")).map(SseClient.Event::data).toList()
                        + ", first events: " + check.events().stream().limit(4).toList());
            }
        }
    }

    /** The {@code {"channel","id","data"}} of a multi-channel event. */
    public static JsonNode envelope(SseClient.Event event) {
        try {
            return Http.JSON.readTree(event.data());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("not an envelope: " + event.data(), e);
        }
    }

    private static String path(List<String> channels) {
        return "/sse/connect?" + channels.stream().map(channel -> "channel_id=" + Http.encode(channel))
                .collect(Collectors.joining("&"));
    }

    private static List<SseClient.Event> seq(SseClient client) {
        return client.messages().stream().filter(event -> event.type().equals("seq")).toList();
    }

    /** The channels whose last event ({@code end}) was received, on earlier connections or on {@code current}. */
    private static long endsSeen(Map<String, List<String>> got, SseClient current) {
        Set<String> ended = new HashSet<>();
        got.forEach((channel, data) -> {
            if (data.contains(END)) {
                ended.add(channel);
            }
        });
        for (SseClient.Event event : seq(current)) {
            JsonNode envelope = envelope(event);
            if (envelope.get("data").asText().equals(END)) {
                ended.add(envelope.get("channel").asText());
            }
        }
        return ended.size();
    }
}
