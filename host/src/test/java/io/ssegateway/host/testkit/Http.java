package io.ssegateway.host.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Plain HTTP calls to a running gateway (keep-alive connections through one JDK client). */
public final class Http {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private Http() {
    }

    /** A response: status, body, headers. */
    public record Response(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    public static Response get(int port, String path) {
        return get(port, path, Map.of());
    }

    public static Response get(int port, String path, Map<String, String> headers) {
        return send(request(port, path, headers).GET().build());
    }

    public static Response options(int port, String path, Map<String, String> headers) {
        return send(request(port, path, headers).method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    }

    public static Response post(int port, String path, String contentType, String body, Map<String, String> headers) {
        HttpRequest.Builder builder = request(port, path, headers).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        return send(builder.build());
    }

    public static Response postJson(int port, String path, String json) {
        return post(port, path, "application/json", json, Map.of());
    }

    /** {@code POST /api/send} for a channel ({@code null} = broadcast); data is sent as a JSON string. */
    public static Response sendText(int port, String channelId, String eventType, String data) {
        var body = JSON.createObjectNode();
        if (channelId == null) {
            body.putNull("channel_id");
        } else {
            body.put("channel_id", channelId);
        }
        body.put("event_type", eventType).put("data", data);
        return postJson(port, "/api/send", body.toString());
    }

    /** Like {@link #sendText} but fails the test unless the gateway answered 200; returns the stream id. */
    public static String publish(int port, String channelId, String eventType, String data) {
        Response response = sendText(port, channelId, eventType, data);
        if (response.status() != 200) {
            throw new AssertionError("send failed: " + response.status() + " " + response.body());
        }
        JsonNode streamId = response.json().get("stream_id");
        return streamId == null || streamId.isNull() ? null : streamId.asText();
    }

    /**
     * Publishes {@code perPort} events of type {@code eventType} to {@code channelId} through every port at the same
     * time (one virtual thread per port, data {@code <port>-<i>}), each via {@link #publish}; returns the stream ids
     * the gateways answered, in no particular order. Fails if any send failed.
     */
    public static List<String> publishConcurrently(List<Integer> ports, String channelId, String eventType, int perPort)
            throws InterruptedException, ExecutionException {
        List<String> answered = Collections.synchronizedList(new ArrayList<>());
        ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int port : ports) {
                done.add(senders.submit(() -> {
                    for (int i = 0; i < perPort; i++) {
                        answered.add(publish(port, channelId, eventType, port + "-" + i));
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            senders.shutdownNow();
        }
        return answered;
    }

    public static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static HttpRequest.Builder request(int port, String path, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        headers.forEach(builder::header);
        return builder;
    }

    private static Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
