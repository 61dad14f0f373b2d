package io.ssegateway.plugin.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RecordingListener;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.plugin.redis.RedisFixtures;
import io.ssegateway.spi.PluginConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Registry sources, Redis storages and gateway instances on a test {@link RedisServer}, built as configuration does. */
final class RegistryFixtures {

    static final Duration WAIT = Duration.ofSeconds(10);

    private RegistryFixtures() {
    }

    /** A registry source on {@code redis} with its push API on a free port; {@code settings} are extra key, value pairs. */
    static ChannelRegistrySource source(RedisServer redis, String... settings) {
        return source(redis.url(), settings);
    }

    /** A registry source on the Redis (or Redis Cluster) at {@code url}. */
    static ChannelRegistrySource source(String url, String... settings) {
        if (settings.length % 2 != 0) {
            throw new IllegalArgumentException("settings are key, value pairs");
        }
        Map<String, String> values = new HashMap<>();
        values.put("redis-url", url);
        values.put("timeout", "1s");
        values.put("reconnect-max-delay", "500ms");
        values.put("push-host", "127.0.0.1");
        values.put("push-port", "0");
        for (int i = 0; i < settings.length; i += 2) {
            values.put(settings[i], settings[i + 1]);
        }
        return (ChannelRegistrySource) new ChannelRegistrySource.Factory()
                .create(PluginConfig.of("gateway.source.channel-registry", values));
    }

    /**
     * A running gateway with a registry source and the Redis storage. Disconnections are noticed within 200 ms (the
     * keep-alive probe); {@code listener} hears of each one after the source did.
     */
    record Instance(Gateway gateway, ChannelRegistrySource source, RecordingListener listener) implements AutoCloseable {

        /** Closes each of {@code instances} that started (an {@code @AfterAll} after a failed {@code @BeforeAll}). */
        static void closeStarted(Instance... instances) {
            for (Instance instance : instances) {
                if (instance != null) {
                    instance.close();
                }
            }
        }

        static Instance start(RedisServer redis, String instanceId, String... settings) {
            return start(redis, instanceId, builder -> builder, settings);
        }

        static Instance start(RedisServer redis, String instanceId,
                              java.util.function.UnaryOperator<Gateway.Builder> customize, String... settings) {
            return start(redis.url(), instanceId, customize, settings);
        }

        /** An instance on the Redis (or Redis Cluster) at {@code url}: registry and Redis storage. */
        static Instance start(String url, String instanceId, String... settings) {
            return start(url, instanceId, builder -> builder, settings);
        }

        static Instance start(String url, String instanceId,
                              java.util.function.UnaryOperator<Gateway.Builder> customize, String... settings) {
            ChannelRegistrySource source = RegistryFixtures.source(url, settings);
            RecordingListener listener = new RecordingListener();
            Gateway gateway = customize.apply(TestGateways.builder()
                    .instanceId(instanceId)
                    .source(source)
                    .storage(RedisFixtures.storage(url, "timeout", "1s"))
                    .listener(listener)
                    .keepAliveInterval(Duration.ofMillis(200))).build().start();
            SseClient.awaitCondition(source::isAvailable, WAIT, () -> "the registry source of " + instanceId
                    + " did not become available");
            return new Instance(gateway, source, listener);
        }

        String id() {
            return gateway.instanceId();
        }

        int port() {
            return gateway.port();
        }

        int pushPort() {
            return source.pushPort();
        }

        String address() {
            return source.address();
        }

        Http.Response post(String path, String json) {
            return Http.post(pushPort(), path, "application/json", json, Map.of());
        }

        Http.Response get(String path) {
            return Http.get(pushPort(), path);
        }

        /** {@code POST /push}, failing the test unless it answered 200. */
        JsonNode push(String channelId, String eventType, String data, String id) {
            Http.Response response = post("/push", body(channelId, eventType, data, id));
            if (response.status() != 200) {
                throw new AssertionError("push failed: " + response.status() + " " + response.body());
            }
            return response.json();
        }

        /** {@code POST /store}, failing the test unless it answered 200. */
        JsonNode store(String channelId, String eventType, String data, String id) {
            Http.Response response = post("/store", body(channelId, eventType, data, id));
            if (response.status() != 200) {
                throw new AssertionError("store failed: " + response.status() + " " + response.body());
            }
            return response.json();
        }

        /** {@code GET /channel/{id}}. */
        JsonNode lookup(String channelId) {
            Http.Response response = get("/channel/" + Http.encode(channelId).replace("+", "%20"));
            if (response.status() != 200) {
                throw new AssertionError("lookup failed: " + response.status() + " " + response.body());
            }
            return response.json();
        }

        /** The instance ids {@code GET /channel/{id}} lists. */
        List<String> holders(String channelId) {
            return ids(lookup(channelId).get("instances"));
        }

        /** Waits until {@code GET /channel/{id}} answers and lists exactly {@code instanceIds}. */
        void awaitHolders(String channelId, String... instanceIds) {
            List<String> expected = List.of(instanceIds);
            String path = "/channel/" + Http.encode(channelId).replace("+", "%20");
            SseClient.awaitCondition(() -> {
                Http.Response lookup = get(path);
                return lookup.status() == 200 && ids(lookup.json().get("instances")).equals(expected);
            }, WAIT, () -> "channel " + channelId + ": " + get(path).body() + ", expected " + expected);
        }

        /**
         * Waits until this instance's source (and then its listener) was told of {@code count} disconnections of
         * connections to {@code channelId}.
         */
        void awaitDisconnects(String channelId, int count) {
            SseClient.awaitCondition(() -> disconnects(channelId) >= count, WAIT,
                    () -> "disconnections from " + channelId + ": " + disconnects(channelId) + ", expected " + count);
        }

        private long disconnects(String channelId) {
            return listener.disconnects.keySet().stream()
                    .filter(connection -> listener.infos.get(connection).channelId().equals(channelId)).count();
        }

        @Override
        public void close() {
            gateway.stop();
        }
    }

    static String body(String channelId, String eventType, String data, String id) {
        ObjectNode body = Http.JSON.createObjectNode().put("channel_id", channelId).put("event_type", eventType);
        try {
            body.set("data", Http.JSON.readTree(data));
        } catch (java.io.IOException notJson) {
            body.put("data", data);
        }
        if (id != null) {
            body.put("id", id);
        }
        return body.toString();
    }

    /** The {@code instance_id}s of a JSON array of instances. */
    static List<String> ids(JsonNode instances) {
        return java.util.stream.StreamSupport.stream(instances.spliterator(), false)
                .map(node -> node.get("instance_id").asText()).toList();
    }

    /** The first SSE message matching {@code match}, waiting for it. */
    static SseClient.Event await(SseClient client, Predicate<SseClient.Event> match) {
        return client.awaitEvent(match, WAIT);
    }
}
