package io.ssegateway.plugin.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.source.SourceFactory;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Create, start, stop: the source found through ServiceLoader, as the gateway finds it, in a gateway. */
class GcpSourceSmokeTest {

    @Test
    void createStartAndStop() throws Exception {
        try (FakePubSub fake = FakePubSub.start(); PubSubTestClient pubsub = new PubSubTestClient(fake.endpoint())) {
            TopicName topic = pubsub.createTopic("smoke");
            SourceFactory factory = ServiceLoader.load(SourceFactory.class).stream().map(ServiceLoader.Provider::get)
                    .filter(candidate -> candidate.name().equals("gcp")).findFirst().orElseThrow();
            MessageSource source = factory.create(PluginConfig.of("gateway.source.gcp",
                    Map.of("project", PubSubTestClient.PROJECT, "topic", "smoke", "endpoint", fake.endpoint())));
            Gateway gateway = TestGateways.builder().instanceId("smoke-1").source(source).storage(new MemoryStorage())
                    .build().start();
            try {
                GcpTestSupport.awaitReady(gateway);
                assertEquals("gcp", Http.get(gateway.port(), "/api/stats").json().get("source").get("name").asText());
                SubscriptionName subscription = SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "smoke-1");
                assertTrue(pubsub.findSubscription(subscription).isPresent());
                long stopping = System.nanoTime();
                gateway.stop();
                Duration took = Duration.ofNanos(System.nanoTime() - stopping);
                assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "stopping took " + took);
                assertFalse(source.isAvailable());
                assertFalse(pubsub.findSubscription(subscription).isPresent());
            } finally {
                gateway.stop();
            }
        }
    }
}
