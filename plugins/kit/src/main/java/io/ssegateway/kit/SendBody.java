package io.ssegateway.kit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The body of every publish endpoint ({@code POST /api/send}, the channel registry's {@code /push} and
 * {@code /store}): {@code {"channel_id": "user-42", "event_type": "notification", "data": <any JSON>, "id": "n-1001"}},
 * read with the rules of {@link StrictJson}. Without {@code channel_id} (absent or {@code null}) the message is a
 * broadcast; a string {@code data} is sent as its text, anything else as compact JSON; {@code id} (the business id) is
 * optional. Other members are ignored.
 *
 * @param channelId {@code null} for a broadcast
 * @param data      the text to send
 * @param id        the business id, or {@code null}
 */
public record SendBody(String channelId, String eventType, String data, String id) {

    /** @throws IllegalArgumentException naming what is wrong (the client gets it with a 400) */
    public static SendBody parse(byte[] body) {
        ObjectNode root = StrictJson.parseObject(body);
        String channelId;
        try {
            channelId = StrictJson.optionalString(root, "channel_id");
        } catch (IllegalArgumentException notAString) {
            throw new IllegalArgumentException("channel_id must be a string or null (a broadcast)");
        }
        String eventType = StrictJson.optionalString(root, "event_type");
        if (eventType == null) {
            throw new IllegalArgumentException("missing field event_type");
        }
        JsonNode data = root.get("data");
        if (data == null) {
            throw new IllegalArgumentException("missing field data");
        }
        String id = StrictJson.optionalString(root, "id");
        return new SendBody(channelId, eventType, data.isTextual() ? data.textValue() : data.toString(), id);
    }
}
