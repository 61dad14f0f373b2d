package io.ssegateway.plugin.redis;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.storage.MessageStorage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Storages, sources and gateways on a test {@link RedisServer}, built through the factories as configuration does.
 * Public, in this module's test jar: the channel registry's tests deploy with the Redis storage.
 */
public final class RedisFixtures {

    private RedisFixtures() {
    }

    /** A Redis storage on {@code redis}; {@code settings} are extra keys of {@code gateway.storage.redis}. */
    public static RedisStreamStorage storage(RedisServer redis, String... settings) {
        return storage(redis.url(), settings);
    }

    /** A Redis storage on the Redis (cluster, sentinels) at {@code url}. */
    public static RedisStreamStorage storage(String url, String... settings) {
        return (RedisStreamStorage) new RedisStreamStorage.Factory()
                .create(PluginConfig.of("gateway.storage.redis", config(url, settings)));
    }

    /** A Redis source on {@code redis}; {@code settings} are extra keys of {@code gateway.source.redis}. */
    public static RedisPubSubSource source(RedisServer redis, String... settings) {
        return source(redis.url(), settings);
    }

    /** A Redis source on the Redis (cluster, sentinels) at {@code url}. */
    public static RedisPubSubSource source(String url, String... settings) {
        return (RedisPubSubSource) new RedisPubSubSource.Factory()
                .create(PluginConfig.of("gateway.source.redis", config(url, settings)));
    }

    /** A started gateway with the Redis source and storage (shared mode) on the Redis at {@code url}. */
    static Gateway gateway(String url, String... settings) {
        return TestGateways.builder().source(source(url, settings)).storage(storage(url, settings)).build().start();
    }

    /** The text of {@code publish.lua}, as external publishers load it. */
    public static String publishScript() {
        return RedisStreamStorage.PUBLISH_SCRIPT.source();
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
        awaitReady(gateway, java.time.Duration.ofSeconds(10));
    }

    /** Waits at most {@code limit} until {@code /ready} says 200. */
    static void awaitReady(Gateway gateway, java.time.Duration limit) {
        io.ssegateway.host.testkit.SseClient.awaitCondition(
                () -> io.ssegateway.host.testkit.Http.get(gateway.port(), "/ready").status() == 200,
                limit, () -> "gateway on port " + gateway.port() + " not ready: "
                        + io.ssegateway.host.testkit.Http.get(gateway.port(), "/ready").body());
    }

    /** The ids of a stream, oldest first, read with XRANGE. */
    @SuppressWarnings("unchecked")
    static List<String> streamIds(RedisServer redis, String key) {
        List<Object> entries = (List<Object>) redis.command("XRANGE", key, "-", "+");
        return entries.stream().map(entry -> (String) ((List<Object>) entry).get(0)).toList();
    }

    private static Map<String, String> config(String url, String... settings) {
        if (settings.length % 2 != 0) {
            throw new IllegalArgumentException("settings are key, value pairs");
        }
        Map<String, String> values = new HashMap<>();
        values.put("url", url);
        values.put("timeout", "1s");
        values.put("reconnect-max-delay", "500ms");
        for (int i = 0; i < settings.length; i += 2) {
            values.put(settings[i], settings[i + 1]);
        }
        return values;
    }
}
