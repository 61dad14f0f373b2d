package io.ssegateway.plugin.gcp;

import static io.ssegateway.plugin.gcp.GcpTestSupport.TIMEOUT;
import static io.ssegateway.plugin.gcp.GcpTestSupport.awaitReady;
import static io.ssegateway.plugin.gcp.GcpTestSupport.source;
import static io.ssegateway.plugin.gcp.GcpTestSupport.subscriptionConfig;
import static io.ssegateway.plugin.gcp.GcpTestSupport.topicConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.Subscription;
import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.FlakyStorage;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour of the Pub/Sub source end to end — Google's real {@code Publisher} publishes, a gateway with the
 * source delivers, a real SSE client receives — against any {@link PubSubBackend}. Extended once per back end.
 */
abstract class PubSubSourceScenarios {

    private static final AtomicInteger NAMES = new AtomicInteger();

    protected PubSubTestClient pubsub;
    private final List<Gateway> gateways = new ArrayList<>();
    private final List<SseClient> clients = new ArrayList<>();

    /** The server under test, started once per test class. */
    protected abstract PubSubBackend backend();

    @BeforeEach
    void connectClient() throws IOException {
        pubsub = new PubSubTestClient(backend().endpoint());
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        clients.forEach(SseClient::close);
        gateways.forEach(Gateway::stop);
        pubsub.close();
    }

    protected static String unique(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    protected PluginConfig topicMode(TopicName topic) {
        return topicConfig(backend().endpoint(), topic, Map.of());
    }

    /** A started gateway whose source is ready (subscribed and connected). */
    protected Gateway gateway(String instanceId, MessageStorage storage, PluginConfig sourceConfig) {
        return gateway(instanceId, storage, sourceConfig, builder -> { });
    }

    protected Gateway gateway(String instanceId, MessageStorage storage, PluginConfig sourceConfig,
                              Consumer<Gateway.Builder> customize) {
        Gateway.Builder builder = TestGateways.builder().instanceId(instanceId).storage(storage).source(source(sourceConfig));
        customize.accept(builder);
        Gateway gateway = builder.build().start();
        gateways.add(gateway);
        awaitReady(gateway);
        return gateway;
    }

    protected SseClient subscribe(Gateway gateway, String channel) throws IOException {
        SseClient client = SseClient.subscribe(gateway.port(), channel);
        assertEquals(200, client.status(), client.errorBody());
        clients.add(client);
        return client;
    }

    protected SseClient subscribeFromEarliest(Gateway gateway, String channel) throws IOException {
        SseClient client = SseClient.connect(gateway.port(),
                "/sse/connect?channel_id=" + Http.encode(channel) + "&last_event_id=earliest", SseClient.options());
        assertEquals(200, client.status(), client.errorBody());
        clients.add(client);
        return client;
    }

    private static SseClient.Event withData(SseClient client, String data) {
        return client.awaitEvent(event -> event.data().equals(data), TIMEOUT);
    }

    @Test
    void channelMessagesCarryTheirAttributesAndBroadcastsReachEveryChannel() throws IOException {
        TopicName topic = pubsub.createTopic(unique("attributes"));
        MemoryStorage storage = new MemoryStorage();
        Gateway gateway = gateway("gw-attributes", storage, topicMode(topic));
        SseClient alice = subscribe(gateway, "alice");
        SseClient bob = subscribe(gateway, "bob");

        pubsub.publish(topic, "{\"total\":42}", Map.of("channel_id", "alice", "event_type", "order.created", "id", "order-1"));
        pubsub.publish(topic, "to everyone", Map.of());
        String bobsMessageId = pubsub.publish(topic, "for bob", Map.of("channel_id", "bob"));

        SseClient.Event order = withData(alice, "{\"total\":42}");
        assertEquals("order.created", order.type());
        assertNotNull(order.id(), "a stored channel event carries its stream id");
        SseClient.Event broadcast = withData(alice, "to everyone");
        assertEquals("message", broadcast.type(), "no event_type attribute means 'message'");
        assertNull(broadcast.id(), "broadcasts are not stored and carry no id");
        assertNull(withData(bob, "to everyone").id());
        SseClient.Event forBob = withData(bob, "for bob");
        assertEquals("message", forBob.type());

        assertEquals(2, alice.messages().size(), "alice got " + alice.messages());
        assertEquals(2, bob.messages().size(), "bob got " + bob.messages());
        SseEvent stored = storage.messagesAfter("alice", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().get(0);
        assertEquals("order-1", stored.messageId(), "the id attribute is the business id");
        assertEquals(order.id(), stored.streamId());
        assertEquals("pubsub:" + bobsMessageId, storage.messagesAfter("bob", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().get(0).messageId(),
                "without an id attribute the Pub/Sub message id is the business id");
    }

    @Test
    void invalidMessagesAreDroppedAndCountedWhileValidOnesFlow() throws IOException {
        TopicName topic = pubsub.createTopic(unique("invalid"));
        Gateway gateway = gateway("gw-invalid", new MemoryStorage(), topicMode(topic), builder -> builder.maxMessageBytes(64));
        SseClient alice = subscribe(gateway, "alice");

        pubsub.publish(topic, "bad type", Map.of("channel_id", "alice", "event_type", "evil\nevent"));
        pubsub.publish(topic, "bad id", Map.of("channel_id", "alice", "id", "evil\rid"));
        pubsub.publish(topic, "x".repeat(65), Map.of("channel_id", "alice"));
        pubsub.publish(topic, "empty channel", Map.of("channel_id", ""));
        pubsub.publish(topic, "fine", Map.of("channel_id", "alice"));

        withData(alice, "fine");
        SseClient.awaitCondition(() -> gateway.metrics().messagesRejectedTotal() == 4, TIMEOUT,
                () -> "rejections: " + gateway.metrics().messagesRejected());
        assertEquals(Map.of("control_characters", 2L, "too_large", 1L, "invalid_channel", 1L), gateway.metrics().messagesRejected());
        assertEquals(1, alice.messages().size(), "only the valid message is delivered: " + alice.messages());
        assertEquals(200, Http.get(gateway.port(), "/ready").status(), "bad messages never break the source");
    }

    @Test
    void aMessageTheStorageRefusedIsRedeliveredAndStoredOnce() throws IOException {
        TopicName topic = pubsub.createTopic(unique("flaky"));
        FlakyStorage storage = new FlakyStorage(new MemoryStorage());
        storage.failNextAppends(2);
        Gateway gateway = gateway("gw-flaky", storage, topicMode(topic));
        SseClient alice = subscribe(gateway, "alice");

        pubsub.publish(topic, "invoice", Map.of("channel_id", "alice", "id", "invoice-7"));
        SseClient.Event invoice = withData(alice, "invoice");
        assertNotNull(invoice.id());
        assertEquals(3, storage.attempts("invoice-7"), "two refused appends, then the redelivery that stored it");

        pubsub.publish(topic, "marker", Map.of("channel_id", "alice"));
        withData(alice, "marker");
        assertEquals(List.of("invoice", "marker"), alice.messages().stream().map(SseClient.Event::data).toList());
        List<SseEvent> stored = storage.messagesAfter("alice", MessageStorage.EARLIEST, Integer.MAX_VALUE).events();
        assertEquals(List.of("invoice-7"), stored.stream().map(SseEvent::messageId).filter("invoice-7"::equals).toList());
    }

    @Test
    void everyTopicModeInstanceReceivesEveryMessageAndTheSharedStorageKeepsItOnce() throws IOException {
        TopicName topic = pubsub.createTopic(unique("fanout"));
        MemoryStorage shared = new MemoryStorage();
        Gateway first = gateway("gw-a", shared, topicMode(topic));
        Gateway second = gateway("gw-b", shared, topicMode(topic));
        SseClient onFirst = subscribe(first, "room");
        SseClient onSecond = subscribe(second, "room");

        for (int i = 0; i < 5; i++) {
            pubsub.publish(topic, "message-" + i, Map.of("channel_id", "room"));
        }
        onFirst.awaitMessages(5, TIMEOUT);
        onSecond.awaitMessages(5, TIMEOUT);
        assertEquals(idsByData(onFirst), idsByData(onSecond), "every instance sends a message with the same id");
        assertEquals(5, idsByData(onFirst).size());
        assertEquals(5, shared.messagesAfter("room", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().size(), "stored once, not once per instance");
        assertTrue(pubsub.findSubscription(SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "gw-a")).isPresent());
        assertTrue(pubsub.findSubscription(SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "gw-b")).isPresent());
    }

    private static Map<String, String> idsByData(SseClient client) {
        Map<String, String> ids = new HashMap<>();
        client.messages().forEach(event -> ids.put(event.data(), event.id()));
        return ids;
    }

    @Test
    void theTopicModeSubscriptionIsOrderedExpiresWhenUnusedAndIsDeletedOnStop() {
        TopicName topic = pubsub.createTopic(unique("managed"));
        Gateway gateway = gateway("gw-managed", new MemoryStorage(),
                topicConfig(backend().endpoint(), topic, Map.of("subscription-expiration", "2d")));
        SubscriptionName name = SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "gw-managed");

        Subscription created = pubsub.findSubscription(name).orElseThrow();
        assertEquals(topic.toString(), created.getTopic());
        assertTrue(created.getEnableMessageOrdering(), "ordering keys are honoured on the subscriptions we create");
        assertEquals(2 * 86_400, created.getExpirationPolicy().getTtl().getSeconds());

        gateway.stop();
        assertFalse(pubsub.findSubscription(name).isPresent(), "a clean stop deletes the per-instance subscription");
    }

    @Test
    void subscriptionModeReadsAnExistingSubscriptionAndLeavesItInPlace() throws IOException {
        TopicName topic = pubsub.createTopic(unique("existing"));
        SubscriptionName subscription = pubsub.createSubscription(unique("existing-sub"), topic);
        Gateway gateway = gateway("gw-existing", new MemoryStorage(), subscriptionConfig(backend().endpoint(), subscription, Map.of()));
        SseClient client = subscribe(gateway, "c");

        pubsub.publish(topic, "hello", Map.of("channel_id", "c", "event_type", "greeting"));
        assertEquals("greeting", withData(client, "hello").type());

        gateway.stop();
        assertTrue(pubsub.findSubscription(subscription).isPresent(), "a subscription we did not create is never deleted");
    }

    @Test
    void instancesSharingOneSubscriptionEachGetOnlyPartOfTheMessages() throws IOException {
        TopicName topic = pubsub.createTopic(unique("split"));
        SubscriptionName subscription = pubsub.createSubscription(unique("split-sub"), topic);
        PluginConfig shared = subscriptionConfig(backend().endpoint(), subscription, Map.of());
        SseClient onFirst = subscribe(gateway("gw-s1", new MemoryStorage(), shared), "room");
        SseClient onSecond = subscribe(gateway("gw-s2", new MemoryStorage(), shared), "room");

        int count = 20;
        for (int i = 0; i < count; i++) {
            pubsub.publish(topic, "m" + i, Map.of("channel_id", "room"));
        }
        SseClient.awaitCondition(() -> onFirst.messages().size() + onSecond.messages().size() >= count, TIMEOUT,
                () -> onFirst.messages().size() + " + " + onSecond.messages().size() + " of " + count);
        Set<String> seen = new HashSet<>();
        onFirst.messages().forEach(event -> seen.add(event.data()));
        onSecond.messages().forEach(event -> assertTrue(seen.add(event.data()), event.data() + " reached both instances"));
        assertEquals(count, seen.size(), "a shared subscription hands each message to one instance only");
    }

    @Test
    void messagesWithAnOrderingKeyArriveInPublishOrder() throws IOException {
        TopicName topic = pubsub.createTopic(unique("ordered"));
        SseClient client = subscribe(gateway("gw-ordered", new MemoryStorage(), topicMode(topic)), "ticker");

        List<String> published = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            published.add("tick-" + i);
            pubsub.publishOrdered(topic, "ticker", "tick-" + i, Map.of("channel_id", "ticker"));
        }
        List<SseClient.Event> received = client.awaitMessages(50, TIMEOUT);
        assertEquals(published, received.stream().map(SseClient.Event::data).toList());
    }

    @Test
    void theSourceSubscribesAgainAfterItsSubscriptionIsDeleted() throws IOException {
        TopicName topic = pubsub.createTopic(unique("deleted"));
        Gateway gateway = gateway("gw-deleted", new MemoryStorage(), topicMode(topic));
        SseClient client = subscribe(gateway, "c");
        pubsub.publish(topic, "before", Map.of("channel_id", "c"));
        withData(client, "before");

        SubscriptionName name = SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "gw-deleted");
        pubsub.deleteSubscription(name);
        // the subscriber fails with NOT_FOUND, and the source creates the subscription again
        SseClient.awaitCondition(() -> pubsub.findSubscription(name).isPresent(), TIMEOUT, () -> name + " was not re-created");
        awaitReady(gateway);
        pubsub.publish(topic, "after", Map.of("channel_id", "c"));
        withData(client, "after");
    }

    @Test
    void publishToReceiveLatencyThroughTheGateway() throws Exception {
        TopicName topic = pubsub.createTopic(unique("latency"));
        SseClient client = subscribe(gateway("gw-latency", new MemoryStorage(), topicMode(topic)), "bench");
        int count = 300;
        long[] sentAt = new long[count];
        long[] receivedAt = new long[count];
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            int seen = 0;
            long deadline = System.nanoTime() + TIMEOUT.toNanos() * 3;
            while (seen < count && System.nanoTime() < deadline) {
                int now = client.messages().size();
                long at = System.nanoTime();
                while (seen < now) {
                    receivedAt[seen++] = at;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        });
        for (int i = 0; i < count; i++) {
            sentAt[i] = System.nanoTime();
            pubsub.publishOrdered(topic, "bench", Integer.toString(i), Map.of("channel_id", "bench"));
        }
        watcher.join(TIMEOUT.multipliedBy(3));
        List<SseClient.Event> received = client.awaitMessages(count, TIMEOUT);
        for (int i = 0; i < count; i++) {
            assertEquals(Integer.toString(i), received.get(i).data(), "ordered delivery");
        }
        long[] micros = new long[count];
        for (int i = 0; i < count; i++) {
            micros[i] = (receivedAt[i] - sentAt[i]) / 1_000;
        }
        java.util.Arrays.sort(micros);
        long p50 = micros[count / 2];
        long p99 = micros[(int) Math.ceil(count * 0.99) - 1];
        System.out.printf("LATENCY %s: %d messages publish-to-SSE p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                backend(), count, p50 / 1000.0, p99 / 1000.0, micros[count - 1] / 1000.0);
        assertTrue(p99 < 1_000_000, "p99 " + p99 + " µs: a message should not take a second through a local server");
    }
}
