package io.ssegateway.plugin.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssegateway.spi.source.IncomingMessage;
import java.io.IOException;

/**
 * The body of {@code POST /push} and {@code POST /store}, the same as {@code POST /api/send} except that the channel
 * is required: {@code {"channel_id": "user-42", "event_type": "notification", "data": <any JSON>, "id": "n-1001"}}.
 * A string {@code data} is sent as its text, anything else as compact JSON; {@code id} (the business id) is optional
 * and makes storing idempotent.
 */
final class PushRequest {

    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private PushRequest() {
    }

    /** @throws IllegalArgumentException naming what is wrong (the client gets it with a 400) */
    static IncomingMessage parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        String channelId = text(root, "channel_id");
        if (channelId == null) {
            throw new IllegalArgumentException("missing field channel_id");
        }
        String eventType = text(root, "event_type");
        if (eventType == null) {
            throw new IllegalArgumentException("missing field event_type");
        }
        JsonNode data = root.get("data");
        if (data == null) {
            throw new IllegalArgumentException("missing field data");
        }
        String text = data.isTextual() ? data.textValue() : data.toString();
        return IncomingMessage.of(eventType, text).withChannel(channelId).withId(text(root, "id"));
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return value.textValue();
    }
}
