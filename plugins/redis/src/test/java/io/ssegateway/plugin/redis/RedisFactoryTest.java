package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.config.ConfiguredGateway;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.redis.RedisPerClass;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.storage.MessageStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Configuration mapping and errors of both factories, and a smoke test (create, start, stop) of each. */
class RedisFactoryTest {

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

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
        RedisStreamStorage storage = (RedisStreamStorage) storage(Map.of("url", REDIS.server().url() + "/3", "timeout", "750ms",
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
        RedisStreamStorage storage = (RedisStreamStorage) storage(Map.of("url", REDIS.server().url()));
        try {
            assertEquals(1000, storage.maxLen());
            assertEquals(Duration.ofHours(1), storage.ttl());
            assertEquals("sse:stream:c", storage.streamKey("c"));
            assertEquals(Duration.ofSeconds(2), storage.settings().timeout());
            assertEquals(0, storage.settings().uri().getDatabase());
            assertEquals(0, storage.replicaAcks(), "a single server is acknowledged by itself");
        } finally {
            storage.close();
        }
    }

    @Test
    void theClusterLayoutOnASingleServerTagsTheKeys_andReplicaAcksCanBeSet() {
        RedisStreamStorage storage = (RedisStreamStorage) storage(Map.of("url", REDIS.server().url(),
                "key-layout", "cluster", "replica-acks", "2"));
        try {
            assertEquals("sse:stream:{c}", storage.streamKey("c"));
            assertEquals("sse:ids:{c}", storage.indexKey("c"));
            assertEquals(2, storage.replicaAcks());
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
        assertTrue(storageError(Map.of("key-prefix", " ")).contains("gateway.storage.redis.key-prefix"));
        // the Redis keys (url, timeout, reconnect-max-delay) are RedisSettings', tested in redis-support: here, that
        // the storage reads them from its own node
        assertTrue(storageError(Map.of("url", "http://localhost:6379")).contains("gateway.storage.redis.url"));
        assertTrue(storageError(Map.of("timeout", "0s")).contains("gateway.storage.redis.timeout"));
    }

    @Test
    void clusterSettingsAreCheckedAtConfigurationTime() {
        String message = storageError(Map.of("url", "redis://10.0.0.1:7000,redis://10.0.0.2:7000"));
        assertTrue(message.contains("gateway.storage.redis.url") && message.contains("repeats the scheme"), message);
        String single = sourceError(Map.of("url", "redis://a:7000,b:7001", "key-layout", "single"));
        assertTrue(single.contains("gateway.source.redis.key-layout is single"), single);
        String prefix = storageError(Map.of("url", "redis://a:7000,b:7001", "key-prefix", "sse:{x}:"));
        assertTrue(prefix.contains("gateway.storage.redis.key-prefix must not contain { or }"), prefix);
        String ackTimeout = storageError(Map.of("replica-ack-timeout", "2s"));
        assertTrue(ackTimeout.contains("gateway.storage.redis.replica-ack-timeout must be positive and below"), ackTimeout);
        String acks = storageError(Map.of("replica-acks", "-1"));
        assertTrue(acks.contains("gateway.storage.redis.replica-acks must be auto or a number"), acks);
    }

    @Test
    void passwordsNeverAppearInErrors() {
        String message = storageError(Map.of("url", "redis://user:s3cret@localhost:6379/x"));
        assertFalse(message.contains("s3cret"), message);
    }

    @Test
    void sourceSettingsMapFromItsNode() {
        RedisPubSubSource source = (RedisPubSubSource) source(Map.of("url", REDIS.server().url(), "channel-prefix", "app:",
                "queue-size", "5", "ping-interval", "1s"));
        assertEquals("redis", source.name());
        assertFalse(source.isAvailable(), "not subscribed before start");
        assertTrue(sourceError(Map.of("pattern", "other:*")).contains("gateway.source.redis.pattern"));
        assertTrue(sourceError(Map.of("queue-size", "0")).contains("gateway.source.redis.queue-size"));
        assertTrue(sourceError(Map.of("ping-interval", "5ms")).contains("gateway.source.redis.ping-interval"));
        assertTrue(sourceError(Map.of("url", "nope")).contains("gateway.source.redis.url"));
    }

    @Test
    void aSourceAndARedisStorageOnDifferentDatabasesRefuseToStart() {
        MessageStorage storage = storage(Map.of("url", REDIS.server().url() + "/2"));
        try {
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> TestGateways.builder().source(source(Map.of("url", REDIS.server().url()))).storage(storage).build());
            assertTrue(failure.getMessage().contains("gateway.source.redis.url"), failure.getMessage());
        } finally {
            storage.close();
        }
    }

    @Test
    void smokeStorageFactoryCreateUseClose() {
        MessageStorage storage = storage(Map.of("url", REDIS.server().url()));
        try {
            assertTrue(storage.isAvailable());
            String id = storage.append("smoke", io.ssegateway.spi.SseEvent.of("t", "d"));
            assertEquals(id, storage.messagesAfter("smoke", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().get(0).streamId());
        } finally {
            storage.close();
        }
        assertFalse(storage.isAvailable(), "closed");
    }

    @Test
    void smokeSourceFactoryStartStop() {
        Gateway gateway = TestGateways.builder().source(source(Map.of("url", REDIS.server().url()))).build().start();
        try {
            RedisFixtures.awaitReady(gateway);
        } finally {
            gateway.stop();
        }
        assertEquals(0L, ((java.util.List<?>) REDIS.server().command("PUBSUB", "CHANNELS")).size());
        SseClient.awaitCondition(() -> (Long) REDIS.server().command("PUBSUB", "NUMPAT") == 0, Duration.ofSeconds(5),
                () -> "the subscription outlived the gateway");
    }

    @Test
    void configuredThroughTheGatewayConfigurationAndRedisUrl() throws Exception {
        GatewayConfig config = GatewayConfig.load(Path.of("no-such-file.yaml"), Map.of("REDIS_URL", REDIS.server().url(),
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
