package io.ssegateway.plugin.gcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * What an operator and a publisher do, through the REST API of the Pub/Sub emulator ({@code host:port}): no Google
 * class is involved, for callers that must not load one (the start-up probe, the distribution test). Public, in this
 * module's test jar.
 */
public final class PubSubRest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String endpoint;

    public PubSubRest(String endpoint) {
        this.endpoint = endpoint;
    }

    /** Creates the topic; one that already exists is fine. */
    public void createTopic(String project, String topic) throws Exception {
        call("PUT", "/v1/projects/" + project + "/topics/" + topic, "{}", 409);
    }

    /** Publishes one message with {@code data} (UTF-8) and {@code attributes}. */
    public void publish(String project, String topic, String data, Map<String, String> attributes) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode message = body.putArray("messages").addObject()
                .put("data", Base64.getEncoder().encodeToString(data.getBytes(StandardCharsets.UTF_8)));
        attributes.forEach(message.putObject("attributes")::put);
        call("POST", "/v1/projects/" + project + "/topics/" + topic + ":publish", body.toString(), 200);
    }

    private void call(String method, String path, String json, int alsoFine) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + endpoint + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 && response.statusCode() != alsoFine) {
            throw new IllegalStateException(method + " " + path + " → " + response.statusCode() + " " + response.body());
        }
    }
}
