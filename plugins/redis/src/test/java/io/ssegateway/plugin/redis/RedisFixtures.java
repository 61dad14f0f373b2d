package io.ssegateway.plugin.redis;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.storage.MessageStorage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Storages, sources and gateways on a test {@link RedisServer}, built through the factories as configuration does. */
final class RedisFixtures {

    private RedisFixtures() {
    }

    /** A Redis storage on {@code redis}; {@code settings} are extra keys of {@code gateway.storage.redis}. */
    static RedisStreamStorage storage(RedisServer redis, String... settings) {
        return (RedisStreamStorage) new RedisStreamStorage.Factory()
                .create(PluginConfig.of("gateway.storage.redis", config(redis, settings)));
    }

    /** A Redis source on {@code redis}; {@code settings} are extra keys of {@code gateway.source.redis}. */
    static RedisPubSubSource source(RedisServer redis, String... settings) {
        return (RedisPubSubSource) new RedisPubSubSource.Factory()
                .create(PluginConfig.of("gateway.source.redis", config(redis, settings)));
    }

    /** A started gateway with the Redis source and storage (shared mode). */
    static Gateway gateway(RedisServer redis) {
        return gateway(redis, storage(redis));
    }

    /** A started gateway with the Redis source and the given storage. */
    static Gateway gateway(RedisServer redis, MessageStorage storage) {
        return TestGateways.builder().source(source(redis)).storage(storage).build().start();
    }

    /** Waits until the gateway's source is subscribed and its storage is available ({@code /ready} says 200). */
    static void awaitReady(Gateway gateway) {
        io.ssegateway.host.testkit.SseClient.awaitCondition(
                () -> io.ssegateway.host.testkit.Http.get(gateway.port(), "/ready").status() == 200,
                java.time.Duration.ofSeconds(10), () -> "gateway on port " + gateway.port() + " not ready: "
                        + io.ssegateway.host.testkit.Http.get(gateway.port(), "/ready").body());
    }

    /** The ids of a stream, oldest first, read with XRANGE. */
    @SuppressWarnings("unchecked")
    static List<String> streamIds(RedisServer redis, String key) {
        List<Object> entries = (List<Object>) redis.command("XRANGE", key, "-", "+");
        return entries.stream().map(entry -> (String) ((List<Object>) entry).get(0)).toList();
    }

    private static Map<String, String> config(RedisServer redis, String... settings) {
        if (settings.length % 2 != 0) {
            throw new IllegalArgumentException("settings are key, value pairs");
        }
        Map<String, String> values = new HashMap<>();
        values.put("url", redis.url());
        values.put("timeout", "1s");
        values.put("reconnect-max-delay", "500ms");
        for (int i = 0; i < settings.length; i += 2) {
            values.put(settings[i], settings[i + 1]);
        }
        return values;
    }
}
