package io.ssegateway.plugin.gcp;

import com.google.pubsub.v1.TopicName;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The SPI's source contract, on a topic of the fake Pub/Sub server. */
class PubSubSourceContractTest extends MessageSourceContract {

    private static FakePubSub fake;
    private static PubSubTestClient pubsub;
    private static TopicName topic;

    @BeforeAll
    static void startFake() throws Exception {
        fake = FakePubSub.start();
        pubsub = new PubSubTestClient(fake.endpoint());
        topic = pubsub.createTopic("contract");
    }

    @AfterAll
    static void stopFake() throws Exception {
        pubsub.close();
        fake.close();
    }

    @Override
    protected MessageSource createSource() {
        return GcpTestSupport.source(GcpTestSupport.topicConfig(fake.endpoint(), topic, Map.of()));
    }

    @Override
    protected void publishExternally(String channelId, String eventType, String data) {
        pubsub.publish(topic, data, Map.of("channel_id", channelId, "event_type", eventType));
    }
}
