package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.Addresses;
import io.ssegateway.host.testkit.FlakyStorage;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.storage.MessageStorage;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AdminApiTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SEND = "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":\"x\"}";
    @RegisterExtension
    final Gateways gateways = new Gateways();
    private Gateway gateway;

    @Test
    void aConfiguredTokenIsRequired() {
        gateway = gateways.start(TestGateways.builder().adminToken("s3cret"));
        int port = gateway.port();
        Http.Response none = Http.post(port, "/api/send", "application/json", SEND, Map.of());
        assertEquals(401, none.status());
        assertNotNull(none.json().get("error"));
        assertEquals(401, Http.post(port, "/api/send", "application/json", SEND,
                Map.of("Authorization", "Bearer wrong")).status());
        assertEquals(200, Http.post(port, "/api/send", "application/json", SEND,
                Map.of("Authorization", "Bearer s3cret")).status());
        assertEquals(401, Http.get(port, "/api/stats").status());
        assertEquals(200, Http.get(port, "/api/stats", Map.of("Authorization", "Bearer s3cret")).status());
    }

    @Test
    void withoutATokenOnlyLoopbackClientsAreServed() throws Exception {
        gateway = gateways.start(TestGateways.builder().host("0.0.0.0"));
        assertEquals(200, Http.get(gateway.port(), "/api/stats").status());
        InetAddress external = Addresses.nonLoopback();
        HttpURLConnection connection = (HttpURLConnection) URI.create(
                "http://" + external.getHostAddress() + ":" + gateway.port() + "/api/stats").toURL().openConnection();
        assertEquals(403, connection.getResponseCode());
        String body = new String(connection.getErrorStream().readAllBytes());
        assertTrue(body.contains("loopback"), body);
        // the public routes stay public
        HttpURLConnection health = (HttpURLConnection) URI.create(
                "http://" + external.getHostAddress() + ":" + gateway.port() + "/health").toURL().openConnection();
        assertEquals(200, health.getResponseCode());
    }

    /**
     * Two publishes sent in one write on one connection: reading the end of the first body (so that Helidon does not
     * drain it again) must not take any of the second request's bytes.
     */
    @Test
    void pipelinedPublishesOnOneConnectionAreEachAnswered() throws Exception {
        MemoryStorage storage = new MemoryStorage();
        gateway = gateways.start(TestGateways.builder().storage(storage));
        String request = "POST /api/send HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + SEND.length() + "\r\n\r\n" + SEND;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write((request + request).getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder answers = new StringBuilder();
            byte[] buffer = new byte[4096];
            while (answers.toString().split("HTTP/1.1 200", -1).length - 1 < 2 || !answers.toString().endsWith("}")) {
                int read = in.read(buffer);
                assertTrue(read > 0, "the connection ended after: " + answers);
                answers.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
            }
            assertFalse(answers.toString().contains("HTTP/1.1 4"), answers.toString());
        }
        assertEquals(2, storage.messagesAfter("c", MessageStorage.EARLIEST, 1 << 20).events().size(),
                "both messages were stored");
    }

    @Test
    void badRequestsGetJsonErrors() {
        gateway = gateways.start(TestGateways.builder().maxMessageBytes(1000));
        int port = gateway.port();
        assertError(Http.postJson(port, "/api/send", "{\"channel_id\": \"c\", "), 400, "malformed JSON");
        assertError(Http.postJson(port, "/api/send", "[1,2]"), 400, "JSON object");
        assertError(Http.post(port, "/api/send", "text/plain", SEND, Map.of()), 415, "application/json");
        assertError(Http.post(port, "/api/send", null, SEND, Map.of()), 415, "application/json");
        assertError(Http.postJson(port, "/api/send", "{\"channel_id\":\"c\",\"data\":1}"), 400, "missing field event_type");
        assertError(Http.postJson(port, "/api/send", "{\"channel_id\":\"c\",\"event_type\":\"t\"}"), 400, "missing field data");
        assertError(Http.postJson(port, "/api/send", "{\"channel_id\":5,\"event_type\":\"t\",\"data\":1}"), 400,
                "channel_id must be a string or null");
        assertError(Http.postJson(port, "/api/send", "{\"channel_id\":\"c\",\"event_type\":\"\",\"data\":1}"), 400,
                "must not be empty");
        assertError(Http.postJson(port, "/api/send", "{\"channel_id\":\"\",\"event_type\":\"t\",\"data\":1}"), 400,
                "channel_id");
        String oversized = "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":\"" + "z".repeat(70 * 1024) + "\"}";
        assertError(Http.postJson(port, "/api/send", oversized), 413, "larger than");
        assertEquals(200, Http.postJson(port, "/api/send", "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":null}").status());
        assertEquals(200, Http.postJson(port, "/api/send",
                "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":\"v\",\"id\":\"biz-1\"}").status());
    }

    private static void assertError(Http.Response response, int status, String fragment) {
        assertEquals(status, response.status(), response.body());
        assertTrue(response.json().get("error").asText().contains(fragment), response.body());
    }

    @Test
    void sendIsIdempotentOnTheBusinessId() throws Exception {
        gateway = gateways.start();
        String body = "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":\"once\",\"id\":\"order-17\"}";
        String first = Http.postJson(gateway.port(), "/api/send", body).json().get("stream_id").asText();
        String second = Http.postJson(gateway.port(), "/api/send", body).json().get("stream_id").asText();
        assertEquals(first, second);
    }

    @Test
    void statsDescribeTheGateway() throws Exception {
        gateway = gateways.start(TestGateways.builder().instanceId("gw-test"));
        int port = gateway.port();
        try (SseClient a = SseClient.subscribe(port, "alpha");
             SseClient b = SseClient.subscribe(port, "beta");
             SseClient c = SseClient.subscribe(port, "beta")) {
            Http.publish(port, "beta", "t", "x");
            b.awaitMessages(1, WAIT);
            c.awaitMessages(1, WAIT);
            JsonNode stats = Http.get(port, "/api/stats").json();
            assertEquals("gw-test", stats.get("instance_id").asText());
            assertEquals(3, stats.get("total_connections").asInt());
            assertEquals(2, stats.get("channels").asInt());
            assertEquals(3, stats.get("connections").size());
            JsonNode first = stats.get("connections").get(0);
            for (String field : new String[] {"id", "channel_id", "connected_at", "client_ip"}) {
                assertTrue(first.hasNonNull(field), field + " in " + first);
            }
            assertEquals(1, stats.get("messages_published").asLong());
            SseClient.awaitCondition(() -> Http.get(port, "/api/stats").json().get("events_delivered").asLong() == 2,
                    WAIT, () -> "delivered");
            assertEquals(0, stats.get("slow_consumers_dropped").asLong());
            assertEquals("noop", stats.get("source").get("name").asText());
            assertEquals("RUNNING", stats.get("source").get("state").asText());
            assertEquals("memory", stats.get("storage").get("name").asText());
            assertTrue(stats.get("storage").get("available").asBoolean());
            assertTrue(stats.get("plugins").isArray());
            assertTrue(stats.get("uptime_seconds").asLong() >= 0);

            JsonNode page = Http.get(port, "/api/stats?limit=1&offset=1&channel=beta").json();
            assertEquals(2, page.get("matching_connections").asInt());
            assertEquals(1, page.get("connections").size());
            assertEquals("beta", page.get("connections").get(0).get("channel_id").asText());
            assertEquals(400, Http.get(port, "/api/stats?limit=abc").status());
        }
    }

    @Test
    void healthReadyAndMetrics() throws Exception {
        FlakyStorage storage = new FlakyStorage(new MemoryStorage());
        gateway = gateways.start(TestGateways.builder().storage(storage));
        int port = gateway.port();
        assertEquals("OK", Http.get(port, "/health").body());
        SseClient.awaitCondition(() -> Http.get(port, "/ready").status() == 200, WAIT, () -> "never ready");
        assertEquals("READY", Http.get(port, "/ready").body());
        storage.down();
        Http.Response notReady = Http.get(port, "/ready");
        assertEquals(503, notReady.status());
        assertTrue(notReady.json().get("error").asText().contains("storage 'flaky-memory' is unavailable"), notReady.body());
        assertFalse(notReady.json().get("storage").get("available").asBoolean());
        storage.up();
        assertEquals(200, Http.get(port, "/ready").status());

        try (SseClient client = SseClient.subscribe(port, "m")) {
            Http.publish(port, "m", "t", "x");
            client.awaitMessages(1, WAIT);
            Http.Response metrics = Http.get(port, "/metrics");
            assertEquals(200, metrics.status());
            assertTrue(metrics.header("content-type").startsWith("text/plain"));
            String text = metrics.body();
            for (String line : new String[] {"sse_connections 1", "sse_channels 1", "sse_messages_published_total 1",
                    "sse_source_up{source=\"noop\"} 1", "sse_storage_available{storage=\"flaky-memory\"} 1",
                    "# TYPE sse_events_delivered_total counter", "sse_slow_consumers_dropped_total 0",
                    "sse_replays_total 0"}) {
                assertTrue(text.contains(line + "\n") || text.contains(line), "missing '" + line + "' in\n" + text);
            }
        }
    }

    @Test
    void whenTheStorageIsDownSendStillReachesOnlineSubscribersWithoutAnId() throws Exception {
        FlakyStorage storage = new FlakyStorage(new MemoryStorage());
        gateway = gateways.start(TestGateways.builder().storage(storage));
        int port = gateway.port();
        try (SseClient client = SseClient.subscribe(port, "c")) {
            storage.down();
            Http.Response online = Http.sendText(port, "c", "t", "live only");
            assertEquals(200, online.status(), online.body());
            assertEquals(1, online.json().get("sent_count").asInt());
            assertTrue(online.json().get("stream_id").isNull());
            assertTrue(online.json().get("warning").asText().contains("not stored"));
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("live only", event.data());
            assertNull(event.id());
            Http.Response nobody = Http.sendText(port, "offline", "t", "lost?");
            assertEquals(503, nobody.status());
            assertFalse(nobody.json().get("success").asBoolean());
            assertEquals(2, gateway.metrics().appendFailures.sum());
            assertEquals(1, gateway.metrics().messagesNotStored.sum());
        }
    }

    @Test
    void aStorageThatTimesOutMakesTheOutcomeUnknownAndSaysThatARetryWithTheSameIdIsSafe() throws Exception {
        FlakyStorage storage = new FlakyStorage(new MemoryStorage());
        gateway = gateways.start(TestGateways.builder().storage(storage));
        int port = gateway.port();
        try (SseClient client = SseClient.subscribe(port, "c")) {
            storage.timeOut();
            Http.Response online = Http.postJson(port, "/api/send",
                    "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":\"maybe\",\"id\":\"order-7\"}");
            assertEquals(200, online.status(), online.body());
            assertEquals("unknown", online.json().get("stored").asText());
            assertTrue(online.json().get("warning").asText().contains("same id is safe"), online.body());
            assertNull(client.awaitMessages(1, WAIT).get(0).id(), "not known to be stored: sent without id");
            Http.Response nobody = Http.sendText(port, "offline", "t", "maybe not");
            assertEquals(503, nobody.status());
            assertEquals("unknown", nobody.json().get("stored").asText());
            storage.up();
            Http.Response retried = Http.postJson(port, "/api/send",
                    "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":\"maybe\",\"id\":\"order-7\"}");
            assertTrue(retried.json().get("stored").asBoolean(), retried.body());
            assertEquals(1, storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().size(),
                    "the retry found the message the timed-out append had stored");
        }
    }

    @Test
    void theAdminApiCanBeDisabled() {
        gateway = gateways.start(TestGateways.builder().dashboard(false));
        assertEquals(404, Http.postJson(gateway.port(), "/api/send", SEND).status());
        assertEquals(404, Http.get(gateway.port(), "/api/stats").status());
        assertEquals(200, Http.get(gateway.port(), "/health").status());
    }
}
