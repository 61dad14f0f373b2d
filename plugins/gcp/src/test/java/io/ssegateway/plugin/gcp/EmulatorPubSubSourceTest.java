package io.ssegateway.plugin.gcp;

import static io.ssegateway.plugin.gcp.GcpTestSupport.TIMEOUT;
import static io.ssegateway.plugin.gcp.GcpTestSupport.awaitNotReady;
import static io.ssegateway.plugin.gcp.GcpTestSupport.awaitReady;

import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.SseClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scenarios against Google's official Pub/Sub emulator (a child process), plus surviving an emulator restart.
 * The emulator must be installed: these tests fail, never skip, without it.
 */
class EmulatorPubSubSourceTest extends PubSubSourceScenarios {

    private static PubSubEmulator emulator;

    @BeforeAll
    static void startEmulator() throws Exception {
        emulator = PubSubEmulator.start();
    }

    @AfterAll
    static void stopEmulator() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Override
    protected PubSubBackend backend() {
        return emulator;
    }

    @Test
    void theSourceRecoversWhenTheEmulatorRestartsEmpty() throws Exception {
        String topicId = unique("restart");
        TopicName topic = pubsub.createTopic(topicId);
        Gateway gateway = gateway("gw-restart", new MemoryStorage(), topicMode(topic));
        SseClient client = subscribe(gateway, "c");

        emulator.stopProcess();
        try {
            awaitNotReady(gateway);
        } finally {
            emulator.startProcess();
        }
        // the restarted emulator knows nothing: the operator re-creates the topic, the source its subscription
        pubsub.createTopic(topicId);
        SubscriptionName name = SubscriptionNames.perInstance(PubSubTestClient.PROJECT, topic, "gw-restart");
        SseClient.awaitCondition(() -> pubsub.findSubscription(name).isPresent(), TIMEOUT, () -> name + " was not re-created");
        awaitReady(gateway);
        pubsub.publish(topic, "back", Map.of("channel_id", "c"));
        client.awaitEvent(event -> event.data().equals("back"), TIMEOUT);
    }
}
