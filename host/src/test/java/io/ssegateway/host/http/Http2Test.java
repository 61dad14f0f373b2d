package io.ssegateway.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.admin.DashboardService;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RecordingListener;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.StreamReader;
import io.ssegateway.host.testkit.TestGateways;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/2 without TLS (h2c): by prior knowledge and by {@code Upgrade}, many event streams on one TCP connection, each
 * behaving as on HTTP/1.1 — a reset stream is noticed at once, a stalled stream is closed as a slow consumer alone
 * while the others keep receiving, and a lost connection ends all of its streams.
 */
class Http2Test {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Far above the typical release (milliseconds), far below any keep-alive write (off in these gateways). */
    private static final Duration RELEASE_BOUND = Duration.ofSeconds(2);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    /** Heartbeats off and an hour between keep-alive writes: a closed stream can only be noticed by watching it. */
    private Gateway quietGateway(RecordingListener listener) {
        return gateways.start(TestGateways.builder().heartbeatInterval(Duration.ZERO)
                .keepAliveInterval(Duration.ofHours(1)).listener(listener));
    }

    private static Process curl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-N", "-D", "-"));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    @Test
    void curlWithPriorKnowledgeStreamsEventsOverH2c() throws Exception {
        Gateway gateway = gateways.start();
        Process curl = curl("--http2-prior-knowledge", "http://127.0.0.1:" + gateway.port() + "/sse/connect?channel_id=pk");
        try (StreamReader out = StreamReader.of(curl.getInputStream())) {
            out.awaitLine("HTTP/2 200 ", WAIT);
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 1, WAIT, out::toString);
            Http.publish(gateway.port(), "pk", "note", "over-h2c");
            out.awaitData("over-h2c", WAIT);
            assertTrue(out.lines().contains("content-type: text/event-stream; charset=utf-8"), out.lines().toString());
        } finally {
            stop(curl);
        }
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, WAIT, () -> "still subscribed");
    }

    @Test
    void aMultiChannelStreamOverH2cReceivesEveryChannel() throws Exception {
        Gateway gateway = gateways.start();
        Process curl = curl("--http2-prior-knowledge",
                "http://127.0.0.1:" + gateway.port() + "/sse/connect?channel_id=mc-a&channel_id=mc-b");
        try (StreamReader out = StreamReader.of(curl.getInputStream())) {
            out.awaitLine("HTTP/2 200 ", WAIT);
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 1, WAIT, out::toString);
            Http.publish(gateway.port(), "mc-a", "note", "to-a");
            Http.publish(gateway.port(), "mc-b", "note", "to-b");
            // each event in the multi-channel envelope, naming its channel
            for (String channel : List.of("a", "b")) {
                SseClient.awaitCondition(() -> out.data().stream().anyMatch(data -> data.contains("\"channel\":\"mc-"
                        + channel + "\"") && data.contains("\"data\":\"to-" + channel + "\"")), WAIT, out::toString);
            }
        } finally {
            stop(curl);
        }
    }

    @Test
    void curlUpgradesToH2cAndStreams() throws Exception {
        Gateway gateway = gateways.start();
        Process curl = curl("--http2", "http://127.0.0.1:" + gateway.port() + "/sse/connect?channel_id=up");
        try (StreamReader out = StreamReader.of(curl.getInputStream())) {
            out.awaitLine("HTTP/2 200 ", WAIT);
            assertTrue(out.lines().getFirst().startsWith("HTTP/1.1 101"), out.lines().toString());
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 1, WAIT, out::toString);
            Http.publish(gateway.port(), "up", "note", "after-upgrade");
            out.awaitData("after-upgrade", WAIT);
        } finally {
            stop(curl);
        }
    }

    @Test
    void twentyStreamsShareOneConnectionAndEachReceivesItsChannel() throws Exception {
        Gateway gateway = gateways.start();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        try {
            // the first request upgrades the connection to h2c; the streams then share it
            HttpResponse<String> health = client.send(request(gateway, "/health"), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, health.version());
            List<StreamReader> streams = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                HttpResponse<InputStream> response = client.send(request(gateway, "/sse/connect?channel_id=many-" + i),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, response.statusCode());
                assertEquals(HttpClient.Version.HTTP_2, response.version());
                streams.add(StreamReader.of(response.body()));
            }
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 20, WAIT,
                    () -> "subscribed: " + gateway.connections().connectionCount());
            // this stats request is one more TCP connection (HTTP/1.1): the twenty streams hold one between them
            assertEquals(2, Http.get(gateway.port(), "/api/stats").json().get("tcp_connections").asInt());
            for (int i = 0; i < 20; i++) {
                Http.publish(gateway.port(), "many-" + i, "note", "for-" + i);
            }
            for (int i = 0; i < 20; i++) {
                streams.get(i).awaitData("for-" + i, WAIT);
                assertEquals(List.of("for-" + i), streams.get(i).data());
            }
            streams.forEach(StreamReader::close);
        } finally {
            client.shutdownNow();
        }
    }

    @Test
    void aResetStreamIsNoticedAtOnceAndTheOtherStreamsGoOn() throws Exception {
        RecordingListener listener = new RecordingListener();
        Gateway gateway = quietGateway(listener);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        try {
            client.send(request(gateway, "/health"), HttpResponse.BodyHandlers.discarding());
            StreamReader kept = StreamReader.of(client.send(request(gateway, "/sse/connect?channel_id=kept"),
                    HttpResponse.BodyHandlers.ofInputStream()).body());
            HttpResponse<InputStream> reset = client.send(request(gateway, "/sse/connect?channel_id=reset"),
                    HttpResponse.BodyHandlers.ofInputStream());
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 2, WAIT, () -> "not subscribed");
            // closing a response body before its end makes the client reset the stream (RST_STREAM CANCEL)
            reset.body().close();
            long closedAt = System.nanoTime();
            SseClient.awaitCondition(() -> listener.disconnectCount() == 1, WAIT, () -> "the reset was not noticed");
            Duration released = Duration.ofNanos(System.nanoTime() - closedAt);
            assertTrue(released.compareTo(RELEASE_BOUND) < 0, "noticed after " + released);
            assertEquals(Set.of("reset"), disconnectedChannels(listener));
            assertEquals(1, gateway.connections().connectionCount());
            Http.publish(gateway.port(), "kept", "note", "still-here");
            kept.awaitData("still-here", WAIT);
            kept.close();
        } finally {
            client.shutdownNow();
        }
        SseClient.awaitCondition(listener::exactlyOnceEach, WAIT, () -> "disconnected: " + listener.disconnects);
    }

    @Test
    void aLostConnectionEndsEveryStreamOnIt() throws Exception {
        RecordingListener listener = new RecordingListener();
        Gateway gateway = quietGateway(listener);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        client.send(request(gateway, "/health"), HttpResponse.BodyHandlers.discarding());
        for (int i = 0; i < 5; i++) {
            client.send(request(gateway, "/sse/connect?channel_id=lost-" + i), HttpResponse.BodyHandlers.ofInputStream());
        }
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 5, WAIT, () -> "not subscribed");
        client.shutdownNow();
        long closedAt = System.nanoTime();
        SseClient.awaitCondition(() -> listener.disconnectCount() == 5, WAIT,
                () -> "disconnected: " + listener.disconnectCount());
        Duration released = Duration.ofNanos(System.nanoTime() - closedAt);
        assertTrue(released.compareTo(RELEASE_BOUND) < 0, "noticed after " + released);
        assertEquals(0, gateway.connections().connectionCount());
        assertTrue(listener.exactlyOnceEach());
    }

    /**
     * A stream whose client stops reading: its flow-control window runs out, its queue overflows, and only it is
     * closed as a slow consumer; another stream on the same connection receives all along.
     */
    @Test
    void aStalledStreamIsClosedAloneWhileTheOthersKeepReceiving() throws Exception {
        RecordingListener listener = new RecordingListener();
        Gateway gateway = gateways.start(TestGateways.builder().connectionQueue(16).maxMessageBytes(256 * 1024)
                .listener(listener));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        try {
            client.send(request(gateway, "/health"), HttpResponse.BodyHandlers.discarding());
            StreamReader reading = StreamReader.of(client.send(request(gateway, "/sse/connect?channel_id=reading"),
                    HttpResponse.BodyHandlers.ofInputStream()).body());
            // never read: the client stops granting window to this stream
            HttpResponse<InputStream> stalled = client.send(request(gateway, "/sse/connect?channel_id=stalled"),
                    HttpResponse.BodyHandlers.ofInputStream());
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 2, WAIT, () -> "not subscribed");
            String big = "x".repeat(200 * 1024);
            int sent = 0;
            for (; sent < 400 && gateway.metrics().slowConsumersDropped.sum() == 0; sent++) {
                Http.publish(gateway.port(), "stalled", "big", big);
                if (sent % 20 == 0) {
                    // the other stream is not held up by the stalled one
                    Http.publish(gateway.port(), "reading", "note", "tick-" + sent);
                    reading.awaitData("tick-" + sent, Duration.ofSeconds(5));
                }
            }
            int published = sent;
            SseClient.awaitCondition(() -> gateway.metrics().slowConsumersDropped.sum() == 1, WAIT,
                    () -> "no slow consumer after " + published + " events of 200 KB");
            SseClient.awaitCondition(() -> disconnectedChannels(listener).equals(Set.of("stalled")), WAIT,
                    () -> "disconnected: " + disconnectedChannels(listener));
            assertEquals(1, gateway.connections().connectionCount());
            Http.publish(gateway.port(), "reading", "note", "after-the-drop");
            reading.awaitData("after-the-drop", WAIT);
            assertEquals(Set.of("stalled"), disconnectedChannels(listener));
            stalled.body().close();
            reading.close();
        } finally {
            client.shutdownNow();
        }
    }

    /**
     * A stream on HTTP/2 behaves as on HTTP/1.1: its Last-Event-ID replay, heartbeats, limits counted per stream (a
     * refused one leaves the connection and its other streams alone), and a clean end when the gateway stops.
     */
    @Test
    void eachStreamReplaysBeatsIsLimitedAndEndsAsOnHttp11() throws Exception {
        RecordingListener listener = new RecordingListener();
        Gateway gateway = gateways.start(TestGateways.builder().heartbeatInterval(Duration.ofMillis(300))
                .maxConnectionsPerIp(2).listener(listener));
        String first = Http.publish(gateway.port(), "replay", "note", "one");
        Http.publish(gateway.port(), "replay", "note", "two");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        try {
            client.send(request(gateway, "/health"), HttpResponse.BodyHandlers.discarding());
            StreamReader replayed = StreamReader.of(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + gateway.port() + "/sse/connect?channel_id=replay")).header("Last-Event-ID", first).build(),
                    HttpResponse.BodyHandlers.ofInputStream()).body());
            replayed.awaitData("two", WAIT);
            assertEquals(List.of("two"), replayed.data().stream().filter(d -> !d.startsWith("{")).toList());
            replayed.awaitLine("event: heartbeat", WAIT);
            StreamReader second = StreamReader.of(client.send(request(gateway, "/sse/connect?channel_id=second"),
                    HttpResponse.BodyHandlers.ofInputStream()).body());
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 2, WAIT, () -> "not subscribed");
            // a third stream from the same address is over gateway.max-connections-per-ip: refused, alone
            HttpResponse<String> refused = client.send(request(gateway, "/sse/connect?channel_id=third"),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals(HttpClient.Version.HTTP_2, refused.version());
            Http.publish(gateway.port(), "second", "note", "still-served");
            second.awaitData("still-served", WAIT);
            assertEquals(2, Http.get(gateway.port(), "/api/stats").json().get("tcp_connections").asInt());

            gateway.stop();
            replayed.awaitEnd(WAIT);
            second.awaitEnd(WAIT);
            assertEquals(2, listener.disconnectCount());
        } finally {
            client.shutdownNow();
        }
    }

    /**
     * The dashboard's stats stream over HTTP/2: a reset stream takes writes without failing, so its state is looked at
     * each tick; the reset streams give back their slots (at most {@link DashboardService#MAX_STREAMS} at once).
     */
    @Test
    void resetDashboardStreamsGiveBackTheirSlots() throws Exception {
        Gateway gateway = gateways.start();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        try {
            client.send(request(gateway, "/health"), HttpResponse.BodyHandlers.discarding());
            List<InputStream> streams = new ArrayList<>();
            for (int i = 0; i < DashboardService.MAX_STREAMS; i++) {
                HttpResponse<InputStream> response = client.send(request(gateway, "/api/dashboard/events"),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, response.statusCode());
                streams.add(response.body());
            }
            HttpResponse<String> full = client.send(request(gateway, "/api/dashboard/events"),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, full.statusCode(), full.body());
            for (InputStream stream : streams) {
                stream.close();
            }
            SseClient.awaitCondition(() -> {
                try {
                    HttpResponse<InputStream> again = client.send(request(gateway, "/api/dashboard/events"),
                            HttpResponse.BodyHandlers.ofInputStream());
                    again.body().close();
                    return again.statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            }, WAIT, () -> "the reset dashboard streams kept their slots");
        } finally {
            client.shutdownNow();
        }
    }

    /** server.http2.max-concurrent-streams is what the connection allows: a third stream needs another connection. */
    @Test
    void aConnectionCarriesAtMostTheConfiguredStreams() throws Exception {
        Gateway gateway = gateways.start(TestGateways.builder().http2MaxConcurrentStreams(2));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        try {
            client.send(request(gateway, "/health"), HttpResponse.BodyHandlers.discarding());
            for (int i = 0; i < 2; i++) {
                client.send(request(gateway, "/sse/connect?channel_id=cap-" + i), HttpResponse.BodyHandlers.ofInputStream());
            }
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 2, WAIT, () -> "not subscribed");
            boolean refused;
            try {
                client.send(request(gateway, "/sse/connect?channel_id=cap-2"), HttpResponse.BodyHandlers.ofInputStream());
                refused = false;
            } catch (java.io.IOException overTheLimit) {
                refused = true;
            }
            // either the client opened a second connection for it, or the server refused the stream
            int tcp = Http.get(gateway.port(), "/api/stats").json().get("tcp_connections").asInt();
            assertTrue(refused || tcp == 3, "a third stream on the connection: tcp_connections " + tcp);
        } finally {
            client.shutdownNow();
        }
        assertTrue(assertThrowsIllegalState(() -> TestGateways.builder().http2MaxConcurrentStreams(0).build())
                .contains("http2MaxConcurrentStreams must be at least 1"));
    }

    private static String assertThrowsIllegalState(Runnable build) {
        try {
            build.run();
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        throw new AssertionError("the build did not fail");
    }

    /** The preface is looked for only as far as the bytes match it: a request shorter than it is answered at once. */
    @Test
    void anHttp11RequestShorterThanThePrefaceIsNotKeptWaiting() throws Exception {
        Gateway gateway = gateways.start();
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(5_000);
            byte[] request = "GET /ready HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            assertTrue(request.length < 24);
            socket.getOutputStream().write(request);
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertTrue(status.startsWith("HTTP/1.1 "), status);
        }
    }

    @Test
    void http11IsServedAsBeforeWhenHttp2IsOff() throws Exception {
        Gateway gateway = gateways.start(TestGateways.builder().http2(false));
        Process curl = curl("--http2-prior-knowledge", "http://127.0.0.1:" + gateway.port() + "/sse/connect?channel_id=off");
        try (StreamReader out = StreamReader.of(curl.getInputStream())) {
            out.awaitEnd(WAIT);
            assertEquals(0, gateway.connections().connectionCount());
        } finally {
            stop(curl);
        }
        try (SseClient client = SseClient.subscribe(gateway.port(), "off")) {
            assertEquals(200, client.status());
        }
    }

    /** The channels of the connections that ended, from the listener's records. */
    private static Set<String> disconnectedChannels(RecordingListener listener) {
        return listener.disconnects.keySet().stream().map(id -> listener.infos.get(id).channelId())
                .collect(Collectors.toSet());
    }

    private static HttpRequest request(Gateway gateway, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(30)).build();
    }
}
