package io.ssegateway.plugin.registry;

import static io.ssegateway.plugin.registry.RegistryFixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.plugin.registry.RegistryFixtures.Instance;
import io.ssegateway.redis.RedisPerClass;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The push API's answers to bad requests and to requests without the push token: JSON errors, never a 500. */
class PushApiTest {

    private static final String TOKEN = "s3cret-token";
    private static final Map<String, String> AUTHORIZED = Map.of("Authorization", "Bearer " + TOKEN);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    private static Instance gateway;

    @BeforeAll
    static void start() {
        gateway = Instance.start(REDIS.server(), "api", builder -> builder.maxMessageBytes(1000),
                "push-token", TOKEN, "max-body-bytes", "4096");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void everyRouteRequiresThePushToken() throws Exception {
        String body = RegistryFixtures.body("t1", "t", "x", null);
        for (Map<String, String> headers : java.util.List.of(Map.<String, String>of(),
                Map.of("Authorization", "Bearer wrong"), Map.of("Authorization", "Basic " + TOKEN),
                Map.of("Authorization", "Bearer " + TOKEN + "x"))) {
            Http.Response push = Http.post(gateway.pushPort(), "/push", "application/json", body, headers);
            assertError(401, push);
            assertEquals("Bearer realm=\"sse-gateway push\"", push.header("WWW-Authenticate"));
            assertError(401, Http.get(gateway.pushPort(), "/channel/t1", headers));
            assertError(401, Http.get(gateway.pushPort(), "/instances", headers));
            assertError(401, Http.get(gateway.pushPort(), "/nowhere", headers));
        }
        assertEquals(0L, REDIS.server().command("EXISTS", "sse:stream:t1"), "nothing stored without the token");

        Http.Response accepted = post("/push", body);
        assertEquals(200, accepted.status(), accepted.body());
        assertEquals(200, Http.get(gateway.pushPort(), "/instances", AUTHORIZED).status());
        assertEquals(200, Http.get(gateway.pushPort(), "/instances",
                Map.of("Authorization", "bearer  " + TOKEN)).status(), "the scheme is case-insensitive");
    }

    @Test
    void malformedOrIncompleteBodiesAre400WithAJsonError() throws Exception {
        assertError(400, post("/push", "{\"channel_id\": \"t2\", "), "malformed JSON");
        assertError(400, post("/push", "[1, 2]"), "JSON object");
        assertError(400, post("/push", "{} {}"), "malformed JSON");
        assertError(400, post("/push", ""), "");
        assertError(400, post("/store", "{\"event_type\": \"t\", \"data\": 1}"), "missing field channel_id");
        assertError(400, post("/store", "{\"channel_id\": \"t2\", \"data\": 1}"), "missing field event_type");
        assertError(400, post("/push", "{\"channel_id\": \"t2\", \"event_type\": \"t\"}"), "missing field data");
        assertError(400, post("/push", "{\"channel_id\": 5, \"event_type\": \"t\", \"data\": 1}"), "channel_id must be a string");
        assertError(400, post("/push", "{\"channel_id\": \"t2\", \"event_type\": \"t\", \"data\": 1, \"id\": 7}"),
                "id must be a string");
        // the gateway's own validation: no CR, LF or NUL in event types and ids, channel ids of 1 to 256 bytes
        assertError(400, post("/push", RegistryFixtures.body("t2", "bad\ntype", "x", null)), "CR, LF or NUL");
        assertError(400, post("/store", RegistryFixtures.body("t2", "t", "x", "id\r\n")), "CR, LF or NUL");
        assertError(400, post("/push", RegistryFixtures.body("", "t", "x", null)), "channel_id");
        assertError(400, post("/push", RegistryFixtures.body("c".repeat(257), "t", "x", null)), "256 bytes");
        // read as every JSON endpoint reads: strictly
        assertError(400, post("/push", "{\"channel_id\": \"t2\", \"channel_id\": \"t3\", \"event_type\": \"t\", \"data\": 1}"),
                "Duplicate field");
        assertError(400, post("/push", "{\"channel_id\": \"t2\\ud800\", \"event_type\": \"t\", \"data\": 1}"),
                "not valid Unicode");
        assertError(400, post("/push", "{\"channel_id\": \"t2\", \"event_type\": \"t\", \"data\": 1e400}"), "out of range");
        assertEquals(0L, REDIS.server().command("EXISTS", "sse:stream:t2"), "nothing invalid was stored");
    }

    @Test
    void tooLargeBodiesAndDataAre413() throws Exception {
        Http.Response body = post("/push", RegistryFixtures.body("t3", "t", "x".repeat(5000), null));
        assertError(413, body, "4096 bytes");
        Http.Response data = post("/push", RegistryFixtures.body("t3", "t", "x".repeat(1500), null));
        assertError(413, data, "max-message-bytes");
        assertEquals(0L, REDIS.server().command("EXISTS", "sse:stream:t3"));
    }

    @Test
    void aBodyThatIsNotJsonIs415() throws Exception {
        assertError(415, Http.post(gateway.pushPort(), "/push", "text/plain", RegistryFixtures.body("t4", "t", "x", null),
                AUTHORIZED), "application/json");
        assertError(415, Http.post(gateway.pushPort(), "/store", null, RegistryFixtures.body("t4", "t", "x", null),
                AUTHORIZED), "application/json");
        Http.Response charset = Http.post(gateway.pushPort(), "/push", "application/json; charset=utf-8",
                RegistryFixtures.body("t4", "t", "x", null), AUTHORIZED);
        assertEquals(200, charset.status(), charset.body());
    }

    @Test
    void aWrongMethodIs405WithAllow_andAnUnknownRouteIs404() throws Exception {
        Http.Response get = Http.get(gateway.pushPort(), "/push", AUTHORIZED);
        assertError(405, get, "POST");
        assertEquals("POST", get.header("Allow"));
        assertError(405, send("PUT", "/store", "{}"), "POST");
        Http.Response delete = send("DELETE", "/channel/t5", null);
        assertError(405, delete, "GET");
        assertEquals("GET", delete.header("Allow"));
        assertError(405, send("POST", "/instances", "{}"), "GET");
        assertError(405, send("POST", "/channels", "{}"), "GET");

        assertError(404, Http.get(gateway.pushPort(), "/", AUTHORIZED), "no route");
        assertError(404, Http.get(gateway.pushPort(), "/pushes", AUTHORIZED), "no route");
        assertError(404, send("POST", "/api/send", "{}"), "no route");
    }

    @Test
    void lookupsCheckTheChannelIdAndDecodeIt() throws Exception {
        assertError(400, Http.get(gateway.pushPort(), "/channel/", AUTHORIZED), "empty");
        assertError(400, Http.get(gateway.pushPort(), "/channel/" + "c".repeat(257), AUTHORIZED), "256 bytes");
        assertError(400, Http.get(gateway.pushPort(), "/channel/a%0Ab", AUTHORIZED), "control characters");
        assertEquals(400, rawGetStatus("/channel/a%zz"), "a malformed escape is bad input, not a server error");
        assertError(400, Http.get(gateway.pushPort(), "/channel/a%C3%28", AUTHORIZED), "not UTF-8");

        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=" + Http.encode("team/7 ü+"),
                SseClient.options())) {
            assertEquals(200, client.status());
            SseClient.awaitCondition(() -> lookupOnline("/channel/team%2F7%20%C3%BC%2B"), WAIT,
                    () -> "team/7 ü+ not found");
            Http.Response lookup = Http.get(gateway.pushPort(), "/channel/team%2F7%20%C3%BC%2B", AUTHORIZED);
            assertEquals("team/7 ü+", lookup.json().get("channel_id").asText());
        }
    }

    @Test
    void channelPagesCheckTheirParameters() throws Exception {
        assertError(400, Http.get(gateway.pushPort(), "/channels?count=0", AUTHORIZED), "count");
        assertError(400, Http.get(gateway.pushPort(), "/channels?count=1001", AUTHORIZED), "count");
        assertError(400, Http.get(gateway.pushPort(), "/channels?count=ten", AUTHORIZED), "count");
        assertError(400, Http.get(gateway.pushPort(), "/channels?cursor=-1", AUTHORIZED), "cursor");
        assertError(400, Http.get(gateway.pushPort(), "/channels?cursor=abc", AUTHORIZED), "cursor");
        assertError(400, Http.get(gateway.pushPort(), "/channels?count=%FF", AUTHORIZED), "query string is not correctly");
        Http.Response first = Http.get(gateway.pushPort(), "/channels", AUTHORIZED);
        assertEquals(200, first.status(), first.body());
        assertTrue(first.json().get("channels").isArray(), first.body());
        assertTrue(first.json().get("cursor").isTextual(), first.body());
    }

    private static boolean lookupOnline(String path) {
        return Http.get(gateway.pushPort(), path, AUTHORIZED).json().get("online").asBoolean();
    }

    private static Http.Response post(String path, String json) {
        return Http.post(gateway.pushPort(), path, "application/json", json, AUTHORIZED);
    }

    private static Http.Response send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.pushPort() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Http.Response(response.statusCode(), response.body(), response.headers());
    }

    /** The status of a GET sent as raw bytes (the JDK client refuses to send a malformed URI). */
    private static int rawGetStatus(String path) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.pushPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private static void assertError(int status, Http.Response response) {
        assertError(status, response, "");
    }

    /** The status, a JSON content type, and an {@code error} that mentions {@code fragment}. */
    private static void assertError(int status, Http.Response response, String fragment) {
        assertEquals(status, response.status(), response.body());
        assertEquals("application/json", response.header("Content-Type"), response.body());
        String error = response.json().get("error").asText();
        assertTrue(error.contains(fragment), "'" + error + "' should mention '" + fragment + "'");
    }
}
