package io.ssegateway.plugin.registry;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.redis.RedisPerClass;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.testkit.MessageSourceContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SPI's source contract; publishing is {@code POST /push}. */
class RegistrySourceContractTest extends MessageSourceContract {

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    private ChannelRegistrySource source;

    @Override
    protected MessageSource createSource() {
        source = RegistryFixtures.source(REDIS.server());
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
