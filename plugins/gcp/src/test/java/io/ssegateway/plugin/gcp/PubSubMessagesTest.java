package io.ssegateway.plugin.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.ssegateway.spi.source.IncomingMessage;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The attribute mapping and the names of per-instance subscriptions. */
class PubSubMessagesTest {

    private static PubsubMessage message(String data, Map<String, String> attributes) {
        return PubsubMessage.newBuilder().setMessageId("4242").setData(ByteString.copyFromUtf8(data))
                .putAllAttributes(attributes).build();
    }

    @Test
    void attributesMapToChannelEventTypeAndBusinessId() {
        IncomingMessage incoming = PubSubMessages.toIncoming(message("héllo", Map.of(
                "channel_id", "user-1", "event_type", "notification", "id", "n-7", "other", "ignored")));
        assertEquals("user-1", incoming.channelId());
        assertEquals("notification", incoming.eventType());
        assertEquals("n-7", incoming.messageId());
        assertEquals("héllo", incoming.data(), "the body is UTF-8 text");
    }

    @Test
    void withoutAttributesItIsABroadcastOfTypeMessageIdentifiedByThePubSubMessageId() {
        IncomingMessage incoming = PubSubMessages.toIncoming(message("all", Map.of()));
        assertTrue(incoming.isBroadcast());
        assertEquals("message", incoming.eventType());
        assertEquals("pubsub:4242", incoming.messageId());
    }

    @Test
    void emptyEventTypeAndIdMeanTheDefaultsButAnEmptyChannelStaysAChannel() {
        IncomingMessage incoming = PubSubMessages.toIncoming(message("x", Map.of("event_type", "", "id", "", "channel_id", "")));
        assertEquals("message", incoming.eventType());
        assertEquals("pubsub:4242", incoming.messageId());
        assertEquals("", incoming.channelId(), "an empty channel id is rejected by the gateway, never broadcast");
    }

    @Test
    void perInstanceSubscriptionNamesAreValidStableAndDistinct() {
        TopicName topic = TopicName.of("other", "events");
        SubscriptionName name = SubscriptionNames.perInstance("mine", topic, "gw 1/é");
        assertEquals(SubscriptionName.of("mine", "sse-gateway-events-gw-1--"), name);
        assertEquals(name, SubscriptionNames.perInstance("mine", topic, "gw 1/é"));
        assertNotEquals(name, SubscriptionNames.perInstance("mine", topic, "gw-2"));

        TopicName longTopic = TopicName.of("p", "t".repeat(250));
        SubscriptionName first = SubscriptionNames.perInstance("p", longTopic, "instance-a");
        SubscriptionName second = SubscriptionNames.perInstance("p", longTopic, "instance-b");
        assertEquals(255, first.getSubscription().length());
        assertNotEquals(first, second, "cut names still differ");
    }
}
