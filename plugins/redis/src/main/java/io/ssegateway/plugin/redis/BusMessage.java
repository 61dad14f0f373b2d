package io.ssegateway.plugin.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Pub/Sub payload. Two forms:
 * <ul>
 *   <li>a JSON object with a {@code data} member: {@code {"event_type": "…", "data": <any JSON>, "id": "…",
 *       "stream_id": "…"}} — {@code event_type} a string (absent or null: {@code message}), {@code data} a string
 *       (sent as its text) or any other JSON value (sent as compact JSON), {@code id} the business id (a string or a
 *       number), {@code stream_id} the id the publish script stored it under;</li>
 *   <li>anything else — plain text, JSON that is not an object or has no {@code data}, and text that only looks like
 *       JSON but does not parse — is the data of a {@code message} event, verbatim.</li>
 * </ul>
 * A JSON object with {@code data} whose other members have the wrong type is refused ({@link Invalid}): it was meant
 * as a structured message, and guessing would deliver something else than the publisher meant.
 *
 * @param eventType the event type, or {@code null} for the default ({@code message})
 * @param data      the payload text
 * @param id        the business id, or {@code null}
 * @param streamId  the stream id it is already stored under, or {@code null}
 */
record BusMessage(String eventType, String data, String id, String streamId) {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A payload that is a structured message with a member of the wrong type. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static BusMessage parse(String payload) throws Invalid {
        if (!payload.stripLeading().startsWith("{")) {
            return new BusMessage(null, payload, null, null);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(payload);
        } catch (JsonProcessingException notJson) {
            return new BusMessage(null, payload, null, null);
        }
        JsonNode data = root.get("data");
        if (data == null) {
            return new BusMessage(null, payload, null, null);
        }
        return new BusMessage(text(root, "event_type", false), data.isTextual() ? data.textValue() : data.toString(),
                text(root, "id", true), text(root, "stream_id", false));
    }

    /** The JSON form of a message for the bus ({@code id} omitted when {@code null}). */
    static String json(String eventType, String data, String id) {
        ObjectNode message = MAPPER.createObjectNode().put("event_type", eventType).put("data", data);
        if (id != null) {
            message.put("id", id);
        }
        return message.toString();
    }

    private static String text(JsonNode root, String field, boolean numberAllowed) throws Invalid {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (numberAllowed && value.isIntegralNumber()) {
            return value.asText();
        }
        throw new Invalid(field + " must be a string" + (numberAllowed ? " or a whole number" : "") + ", not " + value.getNodeType());
    }
}
