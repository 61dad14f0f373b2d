package io.ssegateway.plugin.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.config.GatewayConfig;
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
        assertEquals("localhost", settings.redis().uri().getHost());
        assertEquals(6379, settings.redis().uri().getPort());
        assertEquals(Duration.ofSeconds(2), settings.redis().timeout());
        assertEquals(Duration.ofSeconds(3), settings.redis().reconnectMaxDelay());
        assertEquals("127.0.0.1", settings.pushHost(), "without a push token: loopback only");
        assertEquals(9000, settings.pushPort());
        assertNull(settings.address(), "derived from the host's address when it runs");
        assertEquals(Duration.ofSeconds(60), settings.channelTtl());
        assertEquals(Duration.ofSeconds(60), settings.instanceTtl(), "instance-ttl follows channel-ttl");
        assertEquals("sse:registry:", settings.keyPrefix());
        assertNull(settings.pushToken());
        assertEquals(1024 * 1024 + 64 * 1024, settings.maxBodyBytes());
        assertEquals(NODE + ".push-port", settings.keyOf("push-port"));
        long openFiles = ((com.sun.management.UnixOperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
        assertEquals(new PushServer.Limits((int) Math.max(8, Math.min(128, openFiles / 8)), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofSeconds(60)), settings.pushLimits());
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
                Map.entry("max-body-bytes", "65536"),
                Map.entry("push-max-connections", "32"),
                Map.entry("push-request-header-timeout", "5s"),
                Map.entry("push-request-body-timeout", "15s"),
                Map.entry("push-idle-timeout", "2m"))));
        assertEquals("redis.internal", settings.redis().uri().getHost());
        assertEquals(6380, settings.redis().uri().getPort());
        assertEquals(2, settings.redis().uri().getDatabase());
        assertEquals(Duration.ofMillis(500), settings.redis().timeout());
        assertEquals(Duration.ofSeconds(10), settings.redis().reconnectMaxDelay());
        assertEquals("10.0.0.5", settings.pushHost());
        assertEquals(9100, settings.pushPort());
        assertEquals("http://gw-1.internal:9100", settings.address(), "without the trailing slash");
        assertEquals(Duration.ofMinutes(5), settings.channelTtl());
        assertEquals(Duration.ofSeconds(20), settings.instanceTtl());
        assertEquals("app:reg:", settings.keyPrefix());
        assertEquals("t0ken", settings.pushToken());
        assertEquals(65536, settings.maxBodyBytes());
        assertEquals(new PushServer.Limits(32, Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMinutes(2)),
                settings.pushLimits());
        assertTrue(!settings.redis().display().contains("pw"), "the password stays out of logs: " + settings.redis().display());
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
        GatewayConfig config = GatewayConfig.load(yaml, environment);
        RegistrySettings settings = RegistrySettings.from(config.node(NODE));
        assertEquals("cache", settings.redis().uri().getHost());
        assertEquals(6381, settings.redis().uri().getPort());
        assertEquals(9200, settings.pushPort());
        assertEquals("http://10.1.2.3:9200", settings.address());
        assertEquals(Duration.ofSeconds(30), settings.channelTtl());
        assertEquals(Duration.ofSeconds(10), settings.instanceTtl());
        assertEquals("from-the-file", settings.pushToken());
        assertEquals(NODE + ".push-port", settings.keyOf("push-port"));
    }

    @Test
    void gatewayAddrInTheOriginalsHostAndPortFormMeansHttp(@TempDir Path home) {
        GatewayConfig config = GatewayConfig.load(home.resolve("absent.yaml"), Map.of("GATEWAY_ADDR", "localhost:8080"));
        assertEquals("http://localhost:8080", RegistrySettings.from(config.node(NODE)).address());
        assertEquals("http://[::1]:9000",
                RegistrySettings.from(PluginConfig.of(NODE, Map.of("address", "[::1]:9000"))).address());
        assertTrue(RegistrySettings.from(PluginConfig.of(NODE, Map.of())).originalKeys(), "on by default");
    }

    @Test
    void theOriginalKeysHoldTheAddressAsHostAndPort() {
        assertEquals("10.0.0.5:9000", RegistrySettings.hostAndPort("http://10.0.0.5:9000"));
        assertEquals("gw.internal:80", RegistrySettings.hostAndPort("http://gw.internal"));
        assertEquals("[::1]:9000", RegistrySettings.hostAndPort("http://[::1]:9000"));
        assertEquals("https://gw.example:9443", RegistrySettings.hostAndPort("https://gw.example:9443"),
                "the original's agents only spoke http: other URLs stay URLs");
        assertEquals("http://gw.internal/push-api", RegistrySettings.hostAndPort("http://gw.internal/push-api"));
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
        assertInvalid("redis-url", "redis://a:6379,b:6379/3", "which has only database 0");
        assertInvalid("key-prefix", "sse:{registry}:", "must not contain { or } in the cluster key layout",
                "redis-url", "redis://a:6379,b:6379");
        assertInvalid("address", "10.0.0.5", "is neither a URL nor host:port");
        assertInvalid("address", "10.0.0.5:9000/push", "is neither a URL nor host:port");
        assertInvalid("address", "ftp://10.0.0.5", "for example http://10.0.0.5:9000");
        assertInvalid("address", "http://bad host:9000", "is not a URL");
        assertInvalid("key-prefix", " ", "must not be blank");
        assertInvalid("push-host", " ", "must not be empty");
        assertInvalid("push-host", "0.0.0.0", "push-token is not set");
        assertInvalid("push-host", "10.0.0.5", "push-token is not set");
        assertInvalid("push-host", "::", "push-token is not set");
        assertInvalid("max-body-bytes", "100", "at least 1024");
        assertInvalid("push-max-connections", "0", "at least 1");
        assertInvalid("push-request-header-timeout", "0s", "must be positive");
        assertInvalid("push-request-body-timeout", "0s", "must be positive");
        assertInvalid("push-idle-timeout", "0s", "must be positive");
    }

    @Test
    void theFactoryRefusesAnInvalidConfigurationWhenCreating() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> new ChannelRegistrySource.Factory()
                .create(PluginConfig.of(NODE, Map.of("channel-ttl", "soon"))));
        assertTrue(failure.getMessage().contains(NODE + ".channel-ttl"), failure.getMessage());
    }

    private static void assertInvalid(String key, String value, String problem, String... others) {
        Map<String, String> values = new java.util.HashMap<>(Map.of(key, value));
        for (int i = 0; i + 1 < others.length; i += 2) {
            values.put(others[i], others[i + 1]);
        }
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> RegistrySettings.from(PluginConfig.of(NODE, values)), key + "=" + value);
        assertTrue(failure.getMessage().contains(NODE + "." + key), failure.getMessage());
        assertTrue(failure.getMessage().contains(problem), failure.getMessage());
    }

    /** Closed by default, like the admin API: a push API beyond this machine needs a token. */
    @Test
    void withoutAPushTokenOnlyLoopbackIsServed() {
        for (String loopback : new String[] {"127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"}) {
            assertEquals(loopback, RegistrySettings.from(PluginConfig.of(NODE, Map.of("push-host", loopback))).pushHost());
        }
        RegistrySettings withToken = RegistrySettings.from(PluginConfig.of(NODE, Map.of("push-token", " s3cret\n")));
        assertEquals("0.0.0.0", withToken.pushHost(), "with a token: every interface, as before");
        assertEquals("s3cret", withToken.pushToken(), "trimmed");
    }
}
