package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.config.Config;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.config.ConfiguredGateway;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.storage.MessageStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Configuration mapping and errors of both factories, and a smoke test (create, start, stop) of each. */
class RedisFactoryTest {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static MessageStorage storage(Map<String, String> values) {
        return new RedisStreamStorage.Factory().create(PluginConfig.of("gateway.storage.redis", values));
    }

    private static MessageSource source(Map<String, String> values) {
        return new RedisPubSubSource.Factory().create(PluginConfig.of("gateway.source.redis", values));
    }

    private static String storageError(Map<String, String> values) {
        return assertThrows(IllegalArgumentException.class, () -> storage(values)).getMessage();
    }

    private static String sourceError(Map<String, String> values) {
        return assertThrows(IllegalArgumentException.class, () -> source(values)).getMessage();
    }

    @Test
    void storageSettingsMapFromItsNode() {
        RedisStreamStorage storage = (RedisStreamStorage) storage(Map.of("url", redis.url() + "/3", "timeout", "750ms",
                "max-len", "50", "ttl", "10m", "key-prefix", "app:", "reconnect-max-delay", "2s"));
        try {
            assertEquals(3, storage.settings().uri().getDatabase());
            assertEquals(Duration.ofMillis(750), storage.settings().timeout());
            assertEquals(Duration.ofSeconds(2), storage.settings().reconnectMaxDelay());
            assertEquals(50, storage.maxLen());
            assertEquals(Duration.ofMinutes(10), storage.ttl());
            assertEquals("app:stream:orders", storage.streamKey("orders"));
            assertEquals("app:ids:orders", storage.indexKey("orders"));
            assertEquals("redis", storage.name());
        } finally {
            storage.close();
        }
    }

    @Test
    void storageDefaults() {
        RedisStreamStorage storage = (RedisStreamStorage) storage(Map.of("url", redis.url()));
        try {
            assertEquals(1000, storage.maxLen());
            assertEquals(Duration.ofHours(1), storage.ttl());
            assertEquals("sse:stream:c", storage.streamKey("c"));
            assertEquals(Duration.ofSeconds(2), storage.settings().timeout());
            assertEquals(0, storage.settings().uri().getDatabase());
        } finally {
            storage.close();
        }
    }

    @Test
    void invalidStorageSettingsNameTheirKey() {
        assertTrue(storageError(Map.of("max-len", "0")).contains("gateway.storage.redis.max-len"));
        assertTrue(storageError(Map.of("max-len", "many")).contains("gateway.storage.redis.max-len"));
        assertTrue(storageError(Map.of("ttl", "0")).contains("gateway.storage.redis.ttl"));
        assertTrue(storageError(Map.of("ttl", "soon")).contains("gateway.storage.redis.ttl"));
        assertTrue(storageError(Map.of("timeout", "0s")).contains("gateway.storage.redis.timeout"));
        assertTrue(storageError(Map.of("key-prefix", " ")).contains("gateway.storage.redis.key-prefix"));
        assertTrue(storageError(Map.of("reconnect-max-delay", "10ms")).contains("gateway.storage.redis.reconnect-max-delay"));
        assertTrue(storageError(Map.of("url", "http://localhost:6379")).contains("gateway.storage.redis.url"));
        assertTrue(storageError(Map.of("url", "redis://localhost:6379/notanumber")).contains("gateway.storage.redis.url"));
        assertTrue(storageError(Map.of("url", "redis://")).contains("gateway.storage.redis.url"));
    }

    @Test
    void clusterUrlsAreRefusedAtConfigurationTime() {
        String message = storageError(Map.of("url", "redis://10.0.0.1:7000,redis://10.0.0.2:7000"));
        assertTrue(message.contains("gateway.storage.redis.url") && message.contains("Redis Cluster is not supported"), message);
        assertTrue(sourceError(Map.of("url", "redis://a:7000,b:7001")).contains("Redis Cluster is not supported"));
    }

    @Test
    void passwordsNeverAppearInErrorsOrLogs() {
        String message = storageError(Map.of("url", "redis://user:s3cret@localhost:6379/x"));
        assertFalse(message.contains("s3cret"), message);
        RedisSettings settings = RedisSettings.from(PluginConfig.of("n", Map.of("url", "redis://user:s3cret@localhost:6379/2")));
        assertFalse(settings.display().contains("s3cret"), settings.display());
        io.lettuce.core.RedisCredentials credentials = settings.uri().getCredentialsProvider().resolveCredentials().block();
        assertEquals("user", credentials.getUsername());
        assertEquals("s3cret", new String(credentials.getPassword()));
    }

    @Test
    void tlsAndSentinelUrlsAreAccepted() {
        RedisSettings tls = RedisSettings.from(PluginConfig.of("n", Map.of("url", "rediss://:pw@cache.example:6380/1")));
        assertTrue(tls.uri().isSsl());
        assertEquals(6380, tls.uri().getPort());
        RedisSettings sentinel = RedisSettings.from(PluginConfig.of("n",
                Map.of("url", "redis-sentinel://s1:26379,s2:26380/0#mymaster")));
        assertEquals("mymaster", sentinel.uri().getSentinelMasterId());
        assertEquals(2, sentinel.uri().getSentinels().size());
        assertTrue(sentinel.sameServer(RedisSettings.from(PluginConfig.of("n",
                Map.of("url", "redis-sentinel://s2:26380,s1:26379#mymaster")))));
    }

    @Test
    void sourceSettingsMapFromItsNode() {
        RedisPubSubSource source = (RedisPubSubSource) source(Map.of("url", redis.url(), "channel-prefix", "app:",
                "queue-size", "5", "ping-interval", "1s"));
        assertEquals("redis", source.name());
        assertFalse(source.isAvailable(), "not subscribed before start");
        assertTrue(sourceError(Map.of("pattern", "other:*")).contains("gateway.source.redis.pattern"));
        assertTrue(sourceError(Map.of("channel-prefix", "")).contains("gateway.source.redis.channel-prefix"));
        assertTrue(sourceError(Map.of("queue-size", "0")).contains("gateway.source.redis.queue-size"));
        assertTrue(sourceError(Map.of("ping-interval", "5ms")).contains("gateway.source.redis.ping-interval"));
        assertTrue(sourceError(Map.of("url", "nope")).contains("gateway.source.redis.url"));
    }

    @Test
    void aSourceAndARedisStorageOnDifferentDatabasesRefuseToStart() {
        MessageStorage storage = storage(Map.of("url", redis.url() + "/2"));
        try {
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> TestGateways.builder().source(source(Map.of("url", redis.url()))).storage(storage).build());
            assertTrue(failure.getMessage().contains("gateway.source.redis.url"), failure.getMessage());
        } finally {
            storage.close();
        }
    }

    @Test
    void smokeStorageFactoryCreateUseClose() {
        MessageStorage storage = storage(Map.of("url", redis.url()));
        try {
            assertTrue(storage.isAvailable());
            String id = storage.append("smoke", io.ssegateway.spi.SseEvent.of("t", "d"));
            assertEquals(id, storage.messagesAfter("smoke", MessageStorage.EARLIEST).events().get(0).id());
        } finally {
            storage.close();
        }
        assertFalse(storage.isAvailable(), "closed");
    }

    @Test
    void smokeSourceFactoryStartStop() {
        Gateway gateway = TestGateways.builder().source(source(Map.of("url", redis.url()))).build().start();
        try {
            RedisFixtures.awaitReady(gateway);
        } finally {
            gateway.stop();
        }
        assertEquals(0L, ((java.util.List<?>) redis.command("PUBSUB", "CHANNELS")).size());
        SseClient.awaitCondition(() -> (Long) redis.command("PUBSUB", "NUMPAT") == 0, Duration.ofSeconds(5),
                () -> "the subscription outlived the gateway");
    }

    @Test
    void configuredThroughTheGatewayConfigurationAndRedisUrl() throws Exception {
        Config config = GatewayConfig.load(Path.of("no-such-file.yaml"), Map.of("REDIS_URL", redis.url(),
                "GATEWAY_SOURCE_TYPE", "redis", "GATEWAY_STORAGE_TYPE", "redis", "PORT", "0"));
        FactoryCatalog catalog = FactoryCatalog.builtIns();
        assertInstanceOf(RedisStreamStorage.Factory.class, catalog.storage("redis").factory());
        assertInstanceOf(RedisPubSubSource.Factory.class, catalog.source("redis").factory());
        Gateway gateway = ConfiguredGateway.builder(config, catalog).host("127.0.0.1").build().start();
        try {
            RedisFixtures.awaitReady(gateway);
            try (SseClient client = SseClient.subscribe(gateway.port(), "configured")) {
                String id = Http.publish(gateway.port(), "configured", "t", "via config");
                assertEquals(id, client.awaitMessages(1, Duration.ofSeconds(5)).get(0).id());
            }
            assertEquals("redis", Http.get(gateway.port(), "/api/stats").json().get("storage").get("name").asText());
        } finally {
            gateway.stop();
        }
    }
}
