package io.ssegateway.plugin.nats;

import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class NatsSourceContractTest extends MessageSourceContract {

    @RegisterExtension
    static final NatsPerClass NATS = new NatsPerClass();

    @Override
    protected MessageSource createSource() {
        return NatsFixtures.source(NATS.server());
    }

    @Override
    protected void publishExternally(String channelId, String eventType, String data) throws Exception {
        NatsFixtures.publishExternally(NATS.server(), "sse." + Tokens.subjectToken(channelId), eventType, data);
    }
}
