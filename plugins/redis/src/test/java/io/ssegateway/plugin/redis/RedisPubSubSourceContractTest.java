package io.ssegateway.plugin.redis;

import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class RedisPubSubSourceContractTest extends MessageSourceContract {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    protected MessageSource createSource() {
        return RedisFixtures.source(redis);
    }

    @Override
    protected void publishExternally(String channelId, String eventType, String data) {
        redis.command("PUBLISH", "sse:" + channelId, BusMessage.json(eventType, data, null));
    }
}
