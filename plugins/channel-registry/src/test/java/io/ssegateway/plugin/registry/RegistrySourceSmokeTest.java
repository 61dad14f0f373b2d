package io.ssegateway.plugin.registry;

import static io.ssegateway.plugin.registry.RegistryFixtures.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.plugin.redis.RedisFixtures;
import io.ssegateway.plugin.registry.RegistryFixtures.Instance;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.MessageSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Create, start, stop: what the source holds while it runs, and what it leaves behind (nothing). */
class RegistrySourceSmokeTest {

    @Test
    void theFactoryCreatesAnIdleSourceThatHoldsNothingUntilStarted() {
        MessageSource source = new ChannelRegistrySource.Factory()
                .create(PluginConfig.of("gateway.source.channel-registry", Map.of("redis-url", "redis://127.0.0.1:1")));
        assertEquals("channel-registry", source.name());
        assertEquals("channel-registry", new ChannelRegistrySource.Factory().name());
        assertFalse(source.isAvailable(), "not available before it runs");
        assertEquals(-1, ((ChannelRegistrySource) source).pushPort());
    }

    @Test
    void startedItServesAndRegisters_stoppedItLeavesTheRegistryAndFreesItsPort() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Instance gateway = Instance.start(redis, "smoke");
            int pushPort = gateway.pushPort();
            assertTrue(pushPort > 0);
            assertEquals(200, Http.get(gateway.port(), "/ready").status());
            SseClient client = SseClient.subscribe(gateway.port(), "smoke-channel");
            gateway.awaitHolders("smoke-channel", "smoke");
            assertEquals(1L, redis.command("EXISTS", "sse:registry:instance:smoke"));

            gateway.close(); // with the client still connected
            assertEquals(-1, gateway.source().pushPort());
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", pushPort).close(),
                    "the push API must stop listening");
            assertEquals(0L, redis.command("EXISTS", "sse:registry:instance:smoke"), "a clean stop says goodbye");
            assertEquals(0L, redis.command("EXISTS", "sse:registry:channel:smoke-channel"));
            assertEquals(0L, redis.command("ZCARD", "sse:registry:instances"));
            client.awaitEnd(WAIT);
        }
    }

    @Test
    void twoProcessesWithOneInstanceIdAreReported() throws Exception {
        try (RedisServer redis = RedisServer.start(); LogCapture log = LogCapture.of(Registration.class);
             Instance first = Instance.start(redis, "twin", "instance-ttl", "1s")) {
            assertFalse(log.contains("Another gateway process uses the instance id twin"));
            try (Instance second = Instance.start(redis, "twin", "instance-ttl", "1s")) {
                SseClient.awaitCondition(() -> log.contains("Another gateway process uses the instance id twin"), WAIT,
                        () -> "the duplicate instance id went unnoticed: " + log.messages());
                assertTrue(second.source().isAvailable());
            }
        }
    }

    @Test
    void aTakenPushPortFailsTheStartWithAMessageNamingTheKey() throws IOException {
        try (RedisServer redis = RedisServer.start(); ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            Gateway.Builder builder = TestGateways.builder()
                    .source(RegistryFixtures.source(redis, "push-port", Integer.toString(taken.getLocalPort())))
                    .storage(RedisFixtures.storage(redis))
                    .sourceStartCheck(Duration.ofSeconds(2));
            IllegalStateException failure = assertThrows(IllegalStateException.class, () -> builder.build().start());
            assertTrue(failure.getMessage().contains("gateway.source.channel-registry.push-port"), failure.getMessage());
            assertTrue(failure.getMessage().contains(Integer.toString(taken.getLocalPort())), failure.getMessage());
        }
    }
}
