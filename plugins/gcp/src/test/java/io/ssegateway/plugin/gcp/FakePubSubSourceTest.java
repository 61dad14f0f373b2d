package io.ssegateway.plugin.gcp;

import static io.ssegateway.plugin.gcp.GcpTestSupport.TIMEOUT;
import static io.ssegateway.plugin.gcp.GcpTestSupport.awaitNotReady;
import static io.ssegateway.plugin.gcp.GcpTestSupport.awaitReady;
import static io.ssegateway.plugin.gcp.GcpTestSupport.topicConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.StreamingPullRequest;
import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.grpc.Status;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.FlakyStorage;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scenarios against the fake Pub/Sub server, plus what only the fake can show: acks, nacks, broken streams, outages. */
class FakePubSubSourceTest extends PubSubSourceScenarios {

    private static FakePubSub fake;

    @BeforeAll
    static void startFake() throws Exception {
        fake = FakePubSub.start();
    }

    @AfterAll
    static void stopFake() throws Exception {
        fake.close();
    }

    @Override
    protected PubSubBackend backend() {
        return fake;
    }

    @Test
    void invalidMessagesAreAcknowledgedNotHandedBack() throws Exception {
        TopicName topic = pubsub.createTopic(unique("acked"));
        Gateway gateway = gateway("gw-acked", new MemoryStorage(), topicMode(topic));
        SseClient client = subscribe(gateway, "c");

        String invalid = pubsub.publish(topic, "bad", Map.of("channel_id", "c", "event_type", "a\u0000b"));
        String valid = pubsub.publish(topic, "good", Map.of("channel_id", "c"));
        client.awaitEvent(event -> event.data().equals("good"), TIMEOUT);
        SseClient.awaitCondition(() -> fake.counts(invalid).acks() == 1 && fake.counts(valid).acks() == 1, TIMEOUT,
                () -> "invalid " + fake.counts(invalid) + ", valid " + fake.counts(valid));
        assertEquals(new FakePubSub.Counts(1, 1, 0, 0), fake.counts(invalid), "acknowledged once, never nacked");
        assertEquals(new FakePubSub.Counts(1, 1, 0, 0), fake.counts(valid));
    }

    @Test
    void aMessageIsNackedWhileTheStorageFailsAndAcknowledgedOnceStored() throws Exception {
        TopicName topic = pubsub.createTopic(unique("nacked"));
        FlakyStorage storage = new FlakyStorage(new MemoryStorage());
        storage.failNextAppends(2);
        Gateway gateway = gateway("gw-nacked", storage, topicMode(topic));
        SseClient client = subscribe(gateway, "c");

        String messageId = pubsub.publish(topic, "payload", Map.of("channel_id", "c"));
        client.awaitEvent(event -> event.data().equals("payload"), TIMEOUT);
        SseClient.awaitCondition(() -> fake.counts(messageId).acks() == 1, TIMEOUT, () -> fake.counts(messageId).toString());
        assertEquals(new FakePubSub.Counts(3, 1, 2, 0), fake.counts(messageId),
                "delivered three times: nacked twice (storage down), acknowledged after it was stored");
        assertEquals(3, storage.attempts("pubsub:" + messageId));
    }

    @Test
    void aMessageDeliveredTwiceIsStoredOnceUnderOneId() throws Exception {
        TopicName topic = pubsub.createTopic(unique("twice"));
        MemoryStorage storage = new MemoryStorage();
        Gateway gateway = gateway("gw-twice", storage, topicMode(topic));
        SseClient client = subscribe(gateway, "c");

        fake.deliverEveryMessageTwice(true);
        String messageId;
        try {
            messageId = pubsub.publish(topic, "once please", Map.of("channel_id", "c"));
            SseClient.awaitCondition(() -> fake.counts(messageId).acks() == 2, TIMEOUT, () -> fake.counts(messageId).toString());
        } finally {
            fake.deliverEveryMessageTwice(false);
        }
        List<SseEvent> stored = storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE).events();
        assertEquals(1, stored.size(), "Pub/Sub's at-least-once duplicates are stored once: " + stored);
        assertEquals("pubsub:" + messageId, stored.get(0).messageId());
        List<SseClient.Event> received = client.awaitMessages(1, TIMEOUT);
        client.messages().forEach(event -> assertEquals(stored.get(0).streamId(), event.id(), "every copy carries the stored id"));
        assertEquals("once please", received.get(0).data());
    }

    /*
     * Fake only: the emulator does not notice that a subscriber closed its stream and may keep handing messages to
     * it; they come back after the ack deadline, and may go to the dead stream again.
     */
    @Test
    void aRestartedInstanceThatKeptItsSubscriptionGetsWhatWasPublishedWhileItWasDown() throws Exception {
        TopicName topic = pubsub.createTopic(unique("keep"));
        PluginConfig keep = topicConfig(fake.endpoint(), topic, Map.of("delete-subscription-on-stop", "false"));
        gateway("gw-keep", new MemoryStorage(), keep).stop();
        assertTrue(pubsub.findSubscription(SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "gw-keep")).isPresent());

        pubsub.publish(topic, "while you were away", Map.of("channel_id", "c"));
        Gateway restarted = gateway("gw-keep", new MemoryStorage(), keep);
        SseClient client = subscribeFromEarliest(restarted, "c");
        assertNotNull(client.awaitEvent(event -> event.data().equals("while you were away"), TIMEOUT).id());
    }

    @Test
    void aStreamingPullBrokenByTheServerIsReopenedWithoutLosingMessages() throws Exception {
        TopicName topic = pubsub.createTopic(unique("broken"));
        Gateway gateway = gateway("gw-broken", new MemoryStorage(), topicMode(topic));
        SseClient client = subscribe(gateway, "c");
        pubsub.publish(topic, "before", Map.of("channel_id", "c"));
        client.awaitEvent(event -> event.data().equals("before"), TIMEOUT);
        String subscription = SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "gw-broken").toString();
        int opened = fake.streamsOpened();

        fake.breakStreams(Status.UNAVAILABLE.withDescription("the fake server broke the stream"));
        pubsub.publish(topic, "while broken", Map.of("channel_id", "c"));
        SseClient.awaitCondition(() -> fake.streamsOpened() > opened && fake.openStreams(subscription) == 1, TIMEOUT,
                () -> "the stream was not reopened");
        pubsub.publish(topic, "after", Map.of("channel_id", "c"));
        client.awaitEvent(event -> event.data().equals("after"), TIMEOUT);
        client.awaitEvent(event -> event.data().equals("while broken"), TIMEOUT);
        assertEquals(3, client.messages().size(), client.messages().toString());
    }

    @Test
    void aFatalStreamErrorMakesTheSourceSubscribeAgain() throws Exception {
        TopicName topic = pubsub.createTopic(unique("fatal"));
        // a longer first backoff so that the unavailable spell is long enough to observe
        Gateway gateway = gateway("gw-fatal", new MemoryStorage(),
                topicConfig(fake.endpoint(), topic, Map.of("restart-backoff", "2s", "restart-backoff-max", "2s")));
        SseClient client = subscribe(gateway, "c");
        // the subscriber opens its stream asynchronously: break it only once it is there
        String subscription = SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "gw-fatal").toString();
        SseClient.awaitCondition(() -> fake.openStreams(subscription) >= 1, TIMEOUT, () -> "no stream was opened");

        fake.breakStreams(Status.PERMISSION_DENIED.withDescription("the fake revoked the permission"));
        awaitNotReady(gateway);
        String body = Http.get(gateway.port(), "/ready").body();
        assertTrue(body.contains("gcp"), body);
        awaitReady(gateway);
        pubsub.publish(topic, "after", Map.of("channel_id", "c"));
        client.awaitEvent(event -> event.data().equals("after"), TIMEOUT);
    }

    @Test
    void anUnreachableServerMakesTheGatewayNotReadyUntilItIsBack() throws Exception {
        TopicName topic = pubsub.createTopic(unique("outage"));
        Gateway gateway = gateway("gw-outage", new MemoryStorage(), topicMode(topic));
        SseClient client = subscribe(gateway, "c");

        fake.stopServer();
        try {
            awaitNotReady(gateway);
        } finally {
            fake.startServer();
        }
        awaitReady(gateway);
        pubsub.publish(topic, "back", Map.of("channel_id", "c"));
        client.awaitEvent(event -> event.data().equals("back"), TIMEOUT);
        assertTrue(client.messages().size() == 1 && !client.ended(), "the SSE client stayed connected through the outage");
    }

    @Test
    void flowControlAndAckDeadlineReachTheServer() {
        TopicName topic = pubsub.createTopic(unique("flow"));
        gateway("gw-flow", new MemoryStorage(), topicConfig(fake.endpoint(), topic,
                Map.of("max-outstanding-messages", "7", "max-outstanding-bytes", "123456", "ack-deadline", "15s")));
        SubscriptionName subscription = SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "gw-flow");
        // ready means the subscription exists; the client opens its streaming pull a moment later
        SseClient.awaitCondition(() -> fake.openStreams(subscription.toString()) >= 1, TIMEOUT,
                () -> "no stream was opened");
        StreamingPullRequest request = fake.initialRequests().stream()
                .filter(r -> r.getSubscription().equals(subscription.toString())).findFirst().orElseThrow();
        assertEquals(7, request.getMaxOutstandingMessages());
        assertEquals(123456, request.getMaxOutstandingBytes());
        assertEquals(15, request.getStreamAckDeadlineSeconds(), "the lease Pub/Sub gives each message on this stream");
        assertEquals(15, pubsub.findSubscription(subscription).orElseThrow().getAckDeadlineSeconds());
    }
}
