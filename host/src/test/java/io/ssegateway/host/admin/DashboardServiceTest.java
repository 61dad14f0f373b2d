package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DashboardServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TOKEN = "dashboard-secret";

    @RegisterExtension
    final Gateways gateways = new Gateways();
    private final List<SseClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(SseClient::close);
    }

    private Gateway start(Gateway.Builder builder) {
        return gateways.start(builder);
    }

    private SseClient open(int port, String pathAndQuery, SseClient.Options options) throws Exception {
        SseClient client = SseClient.connect(port, pathAndQuery, options);
        clients.add(client);
        return client;
    }

    private static SseClient.Options bearer(String token) {
        return SseClient.options().header("Authorization", "Bearer " + token);
    }

    @Test
    void pageIsServedWithoutTokenUnderAStrictContentSecurityPolicy() {
        Gateway gateway = start(TestGateways.builder().adminToken(TOKEN));
        Http.Response page = Http.get(gateway.port(), "/dashboard");
        assertEquals(200, page.status());
        assertEquals("text/html; charset=utf-8", page.header("content-type"));
        String csp = page.header("content-security-policy");
        assertNotNull(csp, "the page must carry a CSP");
        assertTrue(csp.contains("script-src 'self'") && csp.contains("default-src 'self'")
                && csp.contains("object-src 'none'") && csp.contains("frame-ancestors 'none'"), csp);
        assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
        assertEquals("nosniff", page.header("x-content-type-options"));
        assertTrue(page.body().contains("<script src=\"dashboard/assets/dashboard.js\" defer></script>"), page.body());
    }

    @Test
    void pageHasNoInlineScriptsOrEventHandlers() {
        Gateway gateway = start(TestGateways.builder());
        String html = Http.get(gateway.port(), "/dashboard").body();
        // every <script> has a src and no body
        assertFalse(Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(html).find(), html);
        assertFalse(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), html);
        assertFalse(Pattern.compile("\\sstyle\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), html);
        assertFalse(html.contains("{{"), "unrendered Mustache tag: " + html);
        assertFalse(html.contains("http://") || html.contains("https://"), "the page must not load anything remote");
    }

    @Test
    void everyInputHasALabel() {
        Gateway gateway = start(TestGateways.builder());
        String html = Http.get(gateway.port(), "/dashboard").body();
        var inputs = Pattern.compile("<(?:input|textarea)[^>]*\\sid=\"([^\"]+)\"").matcher(html);
        int count = 0;
        while (inputs.find()) {
            count++;
            assertTrue(html.contains("<label for=\"" + inputs.group(1) + "\""), "no label for #" + inputs.group(1));
        }
        assertTrue(count >= 8, "expected the dashboard's form fields, found " + count);
    }

    @Test
    void assetsAreServedWithTypesAndRevalidatedByEtag() {
        Gateway gateway = start(TestGateways.builder());
        Http.Response script = Http.get(gateway.port(), "/dashboard/assets/dashboard.js");
        assertEquals(200, script.status());
        assertEquals("text/javascript; charset=utf-8", script.header("content-type"));
        assertTrue(script.body().contains("EventSource"));
        Http.Response styles = Http.get(gateway.port(), "/dashboard/assets/dashboard.css");
        assertEquals(200, styles.status());
        assertEquals("text/css; charset=utf-8", styles.header("content-type"));

        String etag = script.header("etag");
        assertNotNull(etag);
        Http.Response again = Http.get(gateway.port(), "/dashboard/assets/dashboard.js", Map.of("If-None-Match", etag));
        assertEquals(304, again.status());
        assertEquals("", again.body());
    }

    @Test
    void unknownAssetsAndTraversalAre404() {
        Gateway gateway = start(TestGateways.builder());
        assertEquals(404, Http.get(gateway.port(), "/dashboard/assets/other.js").status());
        Http.Response traversal = Http.get(gateway.port(), "/dashboard/assets/..%2F..%2Fdashboard%2Findex.mustache");
        assertEquals(404, traversal.status());
        assertTrue(traversal.json().has("error"));
    }

    @Test
    void trailingSlashRedirectsToThePage() {
        Gateway gateway = start(TestGateways.builder());
        Http.Response response = Http.get(gateway.port(), "/dashboard/");
        assertEquals(301, response.status());
        assertEquals("../dashboard", response.header("location"));
    }

    @Test
    void wrongMethodIs405() {
        Gateway gateway = start(TestGateways.builder());
        Http.Response response = Http.postJson(gateway.port(), "/dashboard", "{}");
        assertEquals(405, response.status());
        assertTrue(response.json().get("error").asText().contains("GET /dashboard"));
        assertEquals(405, Http.postJson(gateway.port(), "/api/dashboard/events", "{}").status());
    }

    @Test
    void disabledDashboardHasNoRoutes() {
        Gateway gateway = start(TestGateways.builder().dashboard(false));
        assertEquals(404, Http.get(gateway.port(), "/dashboard").status());
        assertEquals(404, Http.get(gateway.port(), "/api/dashboard/events").status());
    }

    @Test
    void eventsNeedTheAdminToken() throws Exception {
        Gateway gateway = start(TestGateways.builder().adminToken(TOKEN));
        SseClient anonymous = open(gateway.port(), "/api/dashboard/events", SseClient.options());
        assertEquals(401, anonymous.status());
        assertEquals("Bearer", anonymous.header("www-authenticate"));
        SseClient wrong = open(gateway.port(), "/api/dashboard/events", bearer("not-it"));
        assertEquals(401, wrong.status());
        assertTrue(wrong.errorBody().contains("invalid admin token"), wrong.errorBody());

        SseClient admin = open(gateway.port(), "/api/dashboard/events", bearer(TOKEN));
        assertEquals(200, admin.status());
        assertEquals("text/event-stream; charset=utf-8", admin.header("content-type"));
        assertEquals("no-store", admin.header("cache-control"));
        SseClient.Event first = admin.awaitEvent(event -> event.type().equals("stats"), WAIT);
        assertEquals(gateway.instanceId(), Http.JSON.readTree(first.data()).get("instance_id").asText());
    }

    @Test
    void snapshotsFollowConnectionsAndPublishes() throws Exception {
        Gateway gateway = start(TestGateways.builder());
        SseClient stream = open(gateway.port(), "/api/dashboard/events", SseClient.options());
        assertEquals(200, stream.status());
        JsonNode first = Http.JSON.readTree(stream.awaitEvent(e -> e.type().equals("stats"), WAIT).data());
        assertEquals(0, first.get("total_connections").asInt());
        assertEquals(0.0, first.get("published_per_second").asDouble());

        SseClient subscriber = open(gateway.port(), "/sse/connect?channel_id=room-1", SseClient.options());
        assertEquals(200, subscriber.status());
        for (int i = 0; i < 3; i++) {
            Http.publish(gateway.port(), "room-1", "chat", "m" + i);
        }
        JsonNode later = awaitSnapshot(stream, snapshot -> snapshot.get("total_connections").asInt() == 1
                && snapshot.get("messages_published").asLong() == 3);
        assertEquals(1, later.get("channels").asInt());
        assertEquals("room-1", later.get("connections").get(0).get("channel_id").asText());
        assertTrue(later.has("delivered_per_second") && later.has("replay_gaps") && later.has("slow_consumers_dropped"));
        // the first snapshot that saw the publishes reports a positive rate
        JsonNode withRate = awaitSnapshot(stream, snapshot -> snapshot.get("published_per_second").asDouble() > 0);
        assertTrue(withRate.get("published_per_second").asDouble() <= 3.5, withRate.toString());
    }

    @Test
    void snapshotsPageAndFilterTheConnectionTable() throws Exception {
        Gateway gateway = start(TestGateways.builder());
        for (String channel : List.of("a", "a", "a", "b")) {
            assertEquals(200, open(gateway.port(), "/sse/connect?channel_id=" + channel, SseClient.options()).status());
        }
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 4, WAIT, () -> "4 subscribers");
        SseClient stream = open(gateway.port(), "/api/dashboard/events?limit=2&offset=1&channel=a", SseClient.options());
        JsonNode snapshot = Http.JSON.readTree(stream.awaitEvent(e -> e.type().equals("stats"), WAIT).data());
        assertEquals(4, snapshot.get("total_connections").asInt());
        assertEquals(3, snapshot.get("matching_connections").asInt());
        assertEquals(2, snapshot.get("connections").size());
        snapshot.get("connections").forEach(connection -> assertEquals("a", connection.get("channel_id").asText()));
    }

    @Test
    void badPagingIs400() throws Exception {
        Gateway gateway = start(TestGateways.builder());
        SseClient stream = open(gateway.port(), "/api/dashboard/events?limit=lots", SseClient.options());
        assertEquals(400, stream.status());
        assertTrue(stream.errorBody().contains("limit must be a whole number"), stream.errorBody());
        SseClient tooMany = open(gateway.port(), "/api/dashboard/events?limit=100000", SseClient.options());
        assertEquals(400, tooMany.status());
        assertTrue(tooMany.errorBody().contains("between 0 and " + DashboardService.MAX_PAGE_SIZE), tooMany.errorBody());
    }

    @Test
    void streamsAreLimited() throws Exception {
        Gateway gateway = start(TestGateways.builder());
        for (int i = 0; i < DashboardService.MAX_STREAMS; i++) {
            assertEquals(200, open(gateway.port(), "/api/dashboard/events", SseClient.options()).status());
        }
        SseClient refused = open(gateway.port(), "/api/dashboard/events", SseClient.options());
        assertEquals(503, refused.status());
        assertNotNull(refused.header("retry-after"));
        assertTrue(refused.errorBody().contains("too many dashboard streams"), refused.errorBody());

        // a slot frees when a viewer leaves (noticed at its next write)
        clients.get(0).abort();
        SseClient.awaitCondition(() -> {
            try {
                SseClient again = open(gateway.port(), "/api/dashboard/events", SseClient.options());
                return again.status() == 200;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, WAIT, () -> "no slot freed after a viewer left");
    }

    @Test
    void streamsEndWhenTheGatewayStops() throws Exception {
        Gateway gateway = gateways.start();
        SseClient stream = open(gateway.port(), "/api/dashboard/events", SseClient.options());
        stream.awaitEvent(e -> e.type().equals("stats"), WAIT);
        long started = System.nanoTime();
        gateway.stop();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        stream.awaitEnd(WAIT);
        assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "stop took " + took);
    }

    private static JsonNode awaitSnapshot(SseClient stream, java.util.function.Predicate<JsonNode> match) {
        SseClient.Event event = stream.awaitEvent(e -> e.type().equals("stats") && match.test(parse(e.data())), WAIT);
        return parse(event.data());
    }

    private static JsonNode parse(String json) {
        try {
            return Http.JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
