package io.ssegateway.plugin.gcp;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.MessageSource;
import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Configurations, sources and waits shared by the tests. */
final class GcpTestSupport {

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final String NODE = "gateway.source.gcp";

    private GcpTestSupport() {
    }

    /** Topic mode against {@code endpoint}, with quick nacks and restarts so that tests run fast. */
    static PluginConfig topicConfig(String endpoint, TopicName topic, Map<String, String> extra) {
        Map<String, String> values = base(endpoint);
        values.put("topic", topic.getTopic());
        values.putAll(extra);
        return PluginConfig.of(NODE, values);
    }

    static PluginConfig subscriptionConfig(String endpoint, SubscriptionName subscription, Map<String, String> extra) {
        Map<String, String> values = base(endpoint);
        values.put("subscription", subscription.getSubscription());
        values.putAll(extra);
        return PluginConfig.of(NODE, values);
    }

    private static Map<String, String> base(String endpoint) {
        Map<String, String> values = new HashMap<>();
        values.put("project", PubSubTestClient.PROJECT);
        values.put("endpoint", endpoint);
        values.put("nack-delay", "100ms");
        values.put("restart-backoff", "200ms");
        values.put("restart-backoff-max", "1s");
        return values;
    }

    /** A source built the way the gateway builds it, blind to this machine's environment variables. */
    static MessageSource source(PluginConfig config) {
        return new GcpSourceFactory(name -> null).create(config);
    }

    static void awaitReady(Gateway gateway) {
        SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 200, TIMEOUT,
                () -> "gateway not ready: " + Http.get(gateway.port(), "/ready").body());
    }

    static void awaitNotReady(Gateway gateway) {
        SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 503, TIMEOUT,
                () -> "gateway still ready");
    }
}
