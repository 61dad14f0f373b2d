package io.ssegateway.plugin.redis;

import io.ssegateway.redis.RedisPerClass;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisPubSubSourceContractTest extends MessageSourceContract {

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    @Override
    protected MessageSource createSource() {
        return RedisFixtures.source(REDIS.server());
    }

    @Override
    protected void publishExternally(String channelId, String eventType, String data) {
        REDIS.server().command("PUBLISH", "sse:" + channelId, BusMessage.json(eventType, data, null));
    }
}
