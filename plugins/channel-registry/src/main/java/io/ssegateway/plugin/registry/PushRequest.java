package io.ssegateway.plugin.registry;

import io.ssegateway.kit.SendBody;
import io.ssegateway.spi.source.IncomingMessage;

/**
 * The body of {@code POST /push} and {@code POST /store}, the same as {@code POST /api/send} and read by the same
 * {@link SendBody}: {@code {"channel_id": "user-42", "event_type": "notification", "data": <any JSON>, "id": "n-1001"}}.
 * Without {@code channel_id} (absent or {@code null}) the message is a broadcast, as in the original gateway.
 */
final class PushRequest {

    private PushRequest() {
    }

    /** @throws IllegalArgumentException naming what is wrong (the client gets it with a 400) */
    static IncomingMessage parse(byte[] body) {
        SendBody send = SendBody.parse(body);
        IncomingMessage message = send.channelId() == null
                ? IncomingMessage.broadcast(send.eventType(), send.data())
                : IncomingMessage.toChannel(send.channelId(), send.eventType(), send.data());
        return message.withMessageId(send.id());
    }
}
