package io.ssegateway.plugin.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.config.Config;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.config.HelidonPluginConfig;
import io.ssegateway.spi.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code gateway.source.channel-registry} maps to settings: defaults, every key, the env aliases, the errors. */
class RegistrySettingsTest {

    private static final String NODE = "gateway.source.channel-registry";

    @Test
    void defaults() {
        RegistrySettings settings = RegistrySettings.from(PluginConfig.empty(NODE));
        assertEquals("localhost", settings.redis().getHost());
        assertEquals(6379, settings.redis().getPort());
        assertEquals(Duration.ofSeconds(2), settings.timeout());
        assertEquals(Duration.ofSeconds(3), settings.reconnectMaxDelay());
        assertEquals("0.0.0.0", settings.pushHost());
        assertEquals(9000, settings.pushPort());
        assertNull(settings.address(), "derived from the host's address when it runs");
        assertEquals(Duration.ofSeconds(60), settings.channelTtl());
        assertEquals(Duration.ofSeconds(60), settings.instanceTtl(), "instance-ttl follows channel-ttl");
        assertEquals("sse:registry:", settings.keyPrefix());
        assertNull(settings.pushToken());
        assertEquals(1024 * 1024 + 64 * 1024, settings.maxBodyBytes());
        assertEquals(NODE + ".push-port", settings.keyOf("push-port"));
    }

    @Test
    void everyKey() {
        RegistrySettings settings = RegistrySettings.from(PluginConfig.of(NODE, Map.ofEntries(
                Map.entry("redis-url", "redis://:pw@redis.internal:6380/2"),
                Map.entry("timeout", "500ms"),
                Map.entry("reconnect-max-delay", "10s"),
                Map.entry("push-host", "10.0.0.5"),
                Map.entry("push-port", "9100"),
                Map.entry("address", "http://gw-1.internal:9100/"),
                Map.entry("channel-ttl", "5m"),
                Map.entry("instance-ttl", "20s"),
                Map.entry("key-prefix", "app:reg:"),
                Map.entry("push-token", "t0ken"),
                Map.entry("max-body-bytes", "65536"))));
        assertEquals("redis.internal", settings.redis().getHost());
        assertEquals(6380, settings.redis().getPort());
        assertEquals(2, settings.redis().getDatabase());
        assertEquals(Duration.ofMillis(500), settings.timeout());
        assertEquals(Duration.ofSeconds(10), settings.reconnectMaxDelay());
        assertEquals("10.0.0.5", settings.pushHost());
        assertEquals(9100, settings.pushPort());
        assertEquals("http://gw-1.internal:9100", settings.address(), "without the trailing slash");
        assertEquals(Duration.ofMinutes(5), settings.channelTtl());
        assertEquals(Duration.ofSeconds(20), settings.instanceTtl());
        assertEquals("app:reg:", settings.keyPrefix());
        assertEquals("t0ken", settings.pushToken());
        assertEquals(65536, settings.maxBodyBytes());
        assertTrue(!settings.redisDisplay().contains("pw"), "the password stays out of logs: " + settings.redisDisplay());
    }

    @Test
    void theOriginalGatewaysEnvironmentNamesSetTheKeys(@TempDir Path home) throws Exception {
        Path yaml = home.resolve("application.yaml");
        Files.writeString(yaml, """
                gateway:
                  source:
                    type: channel-registry
                    channel-registry:
                      push-token: from-the-file
                """);
        Map<String, String> environment = new HashMap<>();
        environment.put("REDIS_URL", "redis://cache:6381");
        environment.put("PUSH_PORT", "9200");
        environment.put("GATEWAY_ADDR", "http://10.1.2.3:9200");
        environment.put("CHANNEL_TTL", "30"); // the original's bare seconds
        environment.put("GATEWAY_SOURCE_CHANNEL_dash_REGISTRY_INSTANCE_dash_TTL", "10s");
        Config config = GatewayConfig.load(yaml, environment);
        RegistrySettings settings = RegistrySettings.from(new HelidonPluginConfig(config.get(NODE)));
        assertEquals("cache", settings.redis().getHost());
        assertEquals(6381, settings.redis().getPort());
        assertEquals(9200, settings.pushPort());
        assertEquals("http://10.1.2.3:9200", settings.address());
        assertEquals(Duration.ofSeconds(30), settings.channelTtl());
        assertEquals(Duration.ofSeconds(10), settings.instanceTtl());
        assertEquals("from-the-file", settings.pushToken());
        assertEquals(NODE + ".push-port", settings.keyOf("push-port"));
    }

    @Test
    void invalidValuesNameTheirFullKey() {
        assertInvalid("push-port", "70000", "is not a port");
        assertInvalid("push-port", "nine", "not a whole number");
        assertInvalid("channel-ttl", "500ms", "at least 1s");
        assertInvalid("instance-ttl", "0", "at least 1s");
        assertInvalid("timeout", "0s", "must be positive");
        assertInvalid("reconnect-max-delay", "10ms", "at least 100ms");
        assertInvalid("redis-url", "http://redis:6379", "not a Redis URL");
        assertInvalid("redis-url", "redis://a:6379,b:6379", "Redis Cluster is not supported");
        assertInvalid("address", "10.0.0.5:9000", "for example http://10.0.0.5:9000");
        assertInvalid("address", "ftp://10.0.0.5", "for example http://10.0.0.5:9000");
        assertInvalid("address", "http://bad host:9000", "is not a URL");
        assertInvalid("key-prefix", " ", "must not be blank");
        assertInvalid("push-host", " ", "must not be empty");
        assertInvalid("max-body-bytes", "100", "at least 1024");
    }

    @Test
    void theFactoryRefusesAnInvalidConfigurationWhenCreating() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> new ChannelRegistrySource.Factory()
                .create(PluginConfig.of(NODE, Map.of("channel-ttl", "soon"))));
        assertTrue(failure.getMessage().contains(NODE + ".channel-ttl"), failure.getMessage());
    }

    private static void assertInvalid(String key, String value, String problem) {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> RegistrySettings.from(PluginConfig.of(NODE, Map.of(key, value))), key + "=" + value);
        assertTrue(failure.getMessage().contains(NODE + "." + key), failure.getMessage());
        assertTrue(failure.getMessage().contains(problem), failure.getMessage());
    }
}
