package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.FlakyStorage;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenAPI description ({@code /openapi.yaml}) against the gateway: it parses as OpenAPI 3.1, the gateway serves it,
 * and real answers of every route it describes — successes and errors — have a declared status and media type and a
 * body that validates against the declared JSON Schema. A route added, removed or changed without the description
 * fails here.
 */
class OpenApiConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String SEND = "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":{\"n\":1}}";

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private final JsonNode description = load();
    private final Set<String> exercised = new TreeSet<>();

    @Test
    void theDescriptionIsValidOpenApi31AndServedAsIs() throws Exception {
        String text = text();
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text, null, null);
        assertEquals(java.util.List.of(), parsed.getMessages(), "parser messages");
        assertEquals(io.swagger.v3.oas.models.SpecVersion.V31, parsed.getOpenAPI().getSpecVersion());
        assertEquals("3.1.0", parsed.getOpenAPI().getOpenapi());
        Gateway gateway = gateways.start();
        Http.Response served = Http.get(gateway.port(), "/openapi.yaml");
        assertEquals(200, served.status());
        assertEquals(text, served.body());
    }

    @Test
    void everyRouteAnswersAsDescribed() throws Exception {
        FlakyStorage storage = new FlakyStorage(new MemoryStorage());
        Gateway gateway = gateways.start(TestGateways.builder().storage(storage));
        int port = gateway.port();

        check("/health", "get", Http.get(port, "/health"));
        check("/ready", "get", Http.get(port, "/ready"));
        check("/openapi.yaml", "get", Http.get(port, "/openapi.yaml"));
        check("/dashboard", "get", Http.get(port, "/dashboard"));
        check("/metrics", "get", Http.get(port, "/metrics"));
        check("/metrics", "get", Http.get(port, "/metrics", Map.of("Accept", "application/openmetrics-text")));

        try (SseClient client = SseClient.subscribe(port, "c")) {
            check("/api/send", "post", Http.postJson(port, "/api/send", SEND));
            client.awaitMessages(1, WAIT);
            check("/api/send", "post", Http.postJson(port, "/api/send", "{\"channel_id\":null,\"event_type\":\"t\",\"data\":\"x\"}"));
            Http.Response stats = Http.get(port, "/api/stats");
            assertEquals(1, stats.json().get("connections").size());
            check("/api/stats", "get", stats);
        }
        check("/api/send", "post", Http.postJson(port, "/api/send", "{\"channel_id\":\"c\"}"));
        check("/api/send", "post", Http.postJson(port, "/api/send", "{not json"));
        check("/api/send", "post", Http.post(port, "/api/send", "text/plain", SEND, Map.of()));
        check("/api/send", "post", Http.postJson(port, "/api/send",
                "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":\"" + "x".repeat(1024 * 1024 + 1) + "\"}"));
        check("/api/stats", "get", Http.get(port, "/api/stats?limit=abc"));

        check("/sse/connect", "get", stream(port, "/sse/connect?channel_id=c"));
        check("/sse/connect", "get", Http.get(port, "/sse/connect"));
        check("/sse/connect", "options", Http.options(port, "/sse/connect",
                Map.of("Origin", "https://app.example", "Access-Control-Request-Method", "GET")));
        check("/api/dashboard/events", "get", stream(port, "/api/dashboard/events?limit=5"));
        check("/api/dashboard/events", "get", Http.get(port, "/api/dashboard/events?limit=abc"));

        storage.down();
        check("/ready", "get", Http.get(port, "/ready"));
        check("/api/send", "post", Http.postJson(port, "/api/send", SEND));
        storage.up();

        Gateway guarded = gateways.start(TestGateways.builder().adminToken("secret"));
        check("/api/stats", "get", Http.get(guarded.port(), "/api/stats"));
        check("/api/send", "post", Http.postJson(guarded.port(), "/api/send", SEND));
        check("/api/dashboard/events", "get", Http.get(guarded.port(), "/api/dashboard/events"));

        Set<String> described = new TreeSet<>();
        description.get("paths").properties().forEach(path -> path.getValue().properties()
                .forEach(operation -> described.add(operation.getKey() + " " + path.getKey())));
        assertEquals(described, exercised, "every described operation is exercised");
    }

    /** Asserts that {@code response} is one {@code method path} may give, by the description. */
    private void check(String path, String method, Http.Response response) {
        exercised.add(method + " " + path);
        String where = method.toUpperCase() + " " + path + " answered " + response.status();
        JsonNode operation = description.path("paths").path(path).path(method);
        assertTrue(operation.isObject(), "undescribed operation " + method + " " + path);
        JsonNode declared = resolve(operation.path("responses").path(String.valueOf(response.status())));
        assertTrue(declared.isObject(), where + ", a status the description does not declare: " + response.body());
        JsonNode content = declared.path("content");
        if (content.isMissingNode()) {
            return;
        }
        String contentType = response.header("content-type");
        assertNotNull(contentType, where + " without a Content-Type");
        String mediaType = contentType.split(";")[0].trim();
        JsonNode media = content.path(mediaType);
        assertTrue(media.isObject(), where + " with " + mediaType + "; declared: " + content.fieldNames().next());
        JsonNode body;
        try {
            body = mediaType.endsWith("json") ? Http.JSON.readTree(response.body())
                    : Http.JSON.getNodeFactory().textNode(response.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(where + " with a body that is not JSON: " + response.body(), e);
        }
        Set<ValidationMessage> problems = schema(media.path("schema")).validate(body);
        assertEquals(Set.of(), problems, where + " with a body the schema refuses: " + abbreviate(response.body()));
    }

    /** The schema, with the description's components beside it so that its {@code $ref}s resolve. */
    private JsonSchema schema(JsonNode schema) {
        ObjectNode root = ((ObjectNode) schema.deepCopy());
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("components", description.get("components"));
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode ref = node.path("$ref");
        return ref.isTextual() ? description.at(ref.asText().substring(1)) : node;
    }

    /** Opens a stream, keeps its status and headers, and hangs up. */
    private static Http.Response stream(int port, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (client) {
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String first;
            try (InputStream body = response.body()) {
                first = new String(body.readNBytes(6), StandardCharsets.UTF_8);
            }
            return new Http.Response(response.statusCode(), first, response.headers());
        }
    }

    private static String abbreviate(String body) {
        return body.length() > 2000 ? body.substring(0, 2000) + "…" : body;
    }

    private static String text() throws Exception {
        try (InputStream in = OpenApiService.class.getResourceAsStream(OpenApiService.RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static JsonNode load() {
        try {
            return YAML.readTree(text());
        } catch (Exception e) {
            throw new AssertionError("openapi.yaml does not parse", e);
        }
    }
}
