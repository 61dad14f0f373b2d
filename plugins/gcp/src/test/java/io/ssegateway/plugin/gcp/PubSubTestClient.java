package io.ssegateway.plugin.gcp;

import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.NotFoundException;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.SubscriptionAdminClient;
import com.google.cloud.pubsub.v1.SubscriptionAdminSettings;
import com.google.cloud.pubsub.v1.TopicAdminClient;
import com.google.cloud.pubsub.v1.TopicAdminSettings;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.Subscription;
import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a publisher and an operator do, with Google's real clients, against a fake or the emulator: create topics
 * and subscriptions, publish with attributes (one message per request, no batching delay).
 */
final class PubSubTestClient implements AutoCloseable {

    static final String PROJECT = "test-project";

    private final ManagedChannel channel;
    private final TransportChannelProvider transport;
    private final TopicAdminClient topics;
    private final SubscriptionAdminClient subscriptions;
    private final Map<TopicName, Publisher> publishers = new ConcurrentHashMap<>();

    PubSubTestClient(String endpoint) throws IOException {
        channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
        transport = FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel));
        topics = TopicAdminClient.create(TopicAdminSettings.newBuilder()
                .setTransportChannelProvider(transport).setCredentialsProvider(NoCredentialsProvider.create()).build());
        subscriptions = SubscriptionAdminClient.create(SubscriptionAdminSettings.newBuilder()
                .setTransportChannelProvider(transport).setCredentialsProvider(NoCredentialsProvider.create()).build());
    }

    TopicName createTopic(String id) {
        TopicName name = TopicName.of(PROJECT, id);
        topics.createTopic(name);
        return name;
    }

    SubscriptionName createSubscription(String id, TopicName topic) {
        SubscriptionName name = SubscriptionName.of(PROJECT, id);
        subscriptions.createSubscription(Subscription.newBuilder()
                .setName(name.toString()).setTopic(topic.toString()).setAckDeadlineSeconds(10).build());
        return name;
    }

    Optional<Subscription> findSubscription(SubscriptionName name) {
        try {
            return Optional.of(subscriptions.getSubscription(name));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    void deleteSubscription(SubscriptionName name) {
        subscriptions.deleteSubscription(name);
    }

    /** Publishes and waits for the message id. */
    String publish(TopicName topic, String data, Map<String, String> attributes) {
        return publish(topic, PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8(data)).putAllAttributes(attributes).build());
    }

    /** Publishes with an ordering key and waits for the message id. */
    String publishOrdered(TopicName topic, String orderingKey, String data, Map<String, String> attributes) {
        return publish(topic, PubsubMessage.newBuilder().setData(ByteString.copyFromUtf8(data))
                .putAllAttributes(attributes).setOrderingKey(orderingKey).build());
    }

    String publish(TopicName topic, PubsubMessage message) {
        try {
            return publisher(topic).publish(message).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("publishing to " + topic + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private Publisher publisher(TopicName topic) {
        return publishers.computeIfAbsent(topic, name -> {
            try {
                return Publisher.newBuilder(name)
                        .setChannelProvider(transport)
                        .setCredentialsProvider(NoCredentialsProvider.create())
                        .setEnableMessageOrdering(true)
                        .setBatchingSettings(BatchingSettings.newBuilder().setElementCountThreshold(1L)
                                .setRequestByteThreshold(1L).setDelayThresholdDuration(java.time.Duration.ofMillis(1)).build())
                        .build();
            } catch (IOException e) {
                throw new AssertionError("cannot create a publisher for " + name, e);
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        for (Publisher publisher : publishers.values()) {
            publisher.shutdown();
            publisher.awaitTermination(5, TimeUnit.SECONDS);
        }
        topics.close();
        subscriptions.close();
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
