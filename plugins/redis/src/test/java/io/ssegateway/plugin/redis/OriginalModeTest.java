package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.config.ConfiguredGateway;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.redis.RedisPerClass;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The original gateway's Redis mode, configured from the environment as a migrating team would: an empty channel
 * prefix, so that publishers keep publishing on the bare channel names, and a broadcast channel of their choosing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OriginalModeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    private Gateway gateway;
    private LogCapture log;

    @BeforeAll
    void start() {
        log = LogCapture.of(RedisPubSubSource.class);
        GatewayConfig config = GatewayConfig.load(Path.of("no-such-file.yaml"), Map.of(
                "REDIS_URL", REDIS.server().url(),
                "GATEWAY_SOURCE_TYPE", "redis",
                "GATEWAY_STORAGE_TYPE", "redis",
                "GATEWAY_SOURCE_REDIS_CHANNEL_PREFIX", "",
                "GATEWAY_SOURCE_REDIS_BROADCAST_CHANNEL", "everyone"));
        gateway = ConfiguredGateway.builder(config, FactoryCatalog.builtIns()).host("127.0.0.1").port(0)
                .shutdownGrace(Duration.ofSeconds(1)).build().start();
        RedisFixtures.awaitReady(gateway);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.stop();
        }
        log.close();
    }

    @Test
    void theCostIsLoggedAtStartUp() {
        assertTrue(log.contains("gateway.source.redis.channel-prefix is empty (the original gateway's mode)"),
                log.messages().toString());
        assertTrue(log.contains("pattern *, broadcasts on everyone"), log.messages().toString());
    }

    @Test
    void aPublishOnTheBareChannelNameReachesThatChannel() throws Exception {
        try (SseClient client = SseClient.subscribe(gateway.port(), "user-42")) {
            assertEquals(1L, REDIS.server().command("PUBLISH", "user-42", "hello as before"));
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("message", event.type());
            assertEquals("hello as before", event.data());
            assertNull(event.id(), "a plain publish has no id to store it once under");
        }
    }

    @Test
    void theBroadcastChannelReachesEveryConnection() throws Exception {
        try (SseClient one = SseClient.subscribe(gateway.port(), "one");
             SseClient two = SseClient.subscribe(gateway.port(), "two")) {
            REDIS.server().command("PUBLISH", "everyone", "{\"event_type\": \"notice\", \"data\": \"to all\"}");
            for (SseClient client : new SseClient[] {one, two}) {
                SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
                assertEquals("notice", event.type());
                assertEquals("to all", event.data());
            }
        }
    }

    @Test
    void apiSendStoresOnceAndPublishesOnTheBareChannelName() throws Exception {
        try (SseClient client = SseClient.subscribe(gateway.port(), "orders")) {
            String streamId = Http.publish(gateway.port(), "orders", "order.created", "{\"total\":3}");
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals(streamId, event.id());
            assertEquals(1L, REDIS.server().command("XLEN", "sse:stream:orders"));
        }
        assertEquals(400, Http.sendText(gateway.port(), "everyone", "t", "x").status(),
                "the broadcast channel's name is no SSE channel");
    }
}
