package io.ssegateway.plugin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ssegateway.kit.StrictJson;
import io.ssegateway.spi.source.IncomingMessage;

/**
 * The body of {@code POST /push} and {@code POST /store}, the same as {@code POST /api/send}:
 * {@code {"channel_id": "user-42", "event_type": "notification", "data": <any JSON>, "id": "n-1001"}}. Without
 * {@code channel_id} (absent or {@code null}) the message is a broadcast, as in the original gateway. A string
 * {@code data} is sent as its text, anything else as compact JSON; {@code id} (the business id) is optional and makes
 * storing idempotent. Read as every JSON endpoint reads its body ({@link StrictJson}).
 */
final class PushRequest {

    private PushRequest() {
    }

    /** @throws IllegalArgumentException naming what is wrong (the client gets it with a 400) */
    static IncomingMessage parse(byte[] body) {
        ObjectNode root = StrictJson.parseObject(body);
        String channelId;
        try {
            channelId = StrictJson.optionalString(root, "channel_id");
        } catch (IllegalArgumentException notAString) {
            throw new IllegalArgumentException("channel_id must be a string or null (a broadcast)");
        }
        String eventType = required(root, "event_type");
        JsonNode data = root.get("data");
        if (data == null) {
            throw new IllegalArgumentException("missing field data");
        }
        String text = data.isTextual() ? data.textValue() : data.toString();
        IncomingMessage message = channelId == null
                ? IncomingMessage.broadcast(eventType, text)
                : IncomingMessage.toChannel(channelId, eventType, text);
        return message.withMessageId(StrictJson.optionalString(root, "id"));
    }

    private static String required(ObjectNode root, String field) {
        String value = StrictJson.optionalString(root, field);
        if (value == null) {
            throw new IllegalArgumentException("missing field " + field);
        }
        return value;
    }
}
