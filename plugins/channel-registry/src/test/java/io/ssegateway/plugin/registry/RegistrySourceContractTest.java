package io.ssegateway.plugin.registry;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The SPI's source contract; publishing is {@code POST /push}. */
class RegistrySourceContractTest extends MessageSourceContract {

    private static RedisServer redis;
    private ChannelRegistrySource source;

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
        source = RegistryFixtures.source(redis);
        return source;
    }

    @Override
    protected void publishExternally(String channelId, String eventType, String data) {
        Http.Response response = Http.post(source.pushPort(), "/push", "application/json",
                RegistryFixtures.body(channelId, eventType, Http.JSON.valueToTree(data).toString(), null), java.util.Map.of());
        if (response.status() != 200) {
            throw new AssertionError("push failed: " + response.status() + " " + response.body());
        }
    }
}
