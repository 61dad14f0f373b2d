package io.ssegateway.plugin.gcp;

import com.google.pubsub.v1.PubsubMessage;
import io.ssegateway.spi.source.IncomingMessage;
import java.util.Map;

/**
 * How a Pub/Sub message becomes a gateway message: attribute {@code channel_id} (absent = broadcast),
 * {@code event_type} (absent or empty = {@code message}), {@code id} (the business id; absent or empty = the
 * Pub/Sub message id), body = the data as UTF-8. Validation (control characters, sizes) is the gateway's.
 */
final class PubSubMessages {

    static final String CHANNEL_ID = "channel_id";
    static final String EVENT_TYPE = "event_type";
    static final String ID = "id";
    /** Prefix of the business id derived from the Pub/Sub message id, so it never collides with a publisher's own. */
    static final String MESSAGE_ID_PREFIX = "pubsub:";

    private PubSubMessages() {
    }

    static IncomingMessage toIncoming(PubsubMessage message) {
        Map<String, String> attributes = message.getAttributesMap();
        String eventType = nonEmpty(attributes.get(EVENT_TYPE));
        String data = message.getData().toStringUtf8();
        // An empty channel_id stays a (rejected) channel id: turning it into a broadcast would send a message meant
        // for one channel to everyone.
        String channelId = attributes.get(CHANNEL_ID);
        IncomingMessage incoming = channelId == null
                ? IncomingMessage.broadcast(eventType, data)
                : IncomingMessage.toChannel(channelId, eventType, data);
        return incoming.withMessageId(businessId(message));
    }

    /**
     * The id that makes storing idempotent: the publisher's {@code id} attribute, else the Pub/Sub message id, which
     * is the same on every subscription of the topic (so every instance stores the message under one id) and on
     * every redelivery.
     */
    static String businessId(PubsubMessage message) {
        String id = nonEmpty(message.getAttributesMap().get(ID));
        return id != null ? id : MESSAGE_ID_PREFIX + message.getMessageId();
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
