package io.ssegateway.host.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.config.Config;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.GatewaySettings;
import io.ssegateway.host.plugin.FactoryCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfiguredGatewayTest {

    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        Path file = dir.resolve("application.yaml");
        Files.writeString(file, text);
        return file;
    }

    private static GatewaySettings settings(Config config) {
        Gateway gateway = ConfiguredGateway.builder(config, FactoryCatalog.builtIns()).build();
        return gateway.settings();
    }

    @Test
    void defaultsWithoutAFile() {
        GatewaySettings settings = settings(GatewayConfig.load(dir.resolve("absent.yaml"), Map.of()));
        assertEquals(8080, settings.port());
        assertEquals(Duration.ofSeconds(30), settings.heartbeatInterval());
        assertEquals(1024, settings.connectionQueue());
        assertEquals(1024 * 1024, settings.maxMessageBytes());
        assertEquals(0, settings.socketSendBuffer());
        assertTrue(settings.dashboard());
        assertTrue(settings.maxConnections() > 0);
    }

    @Test
    void yamlIsReadAndTheEnvironmentOverridesIt() throws Exception {
        Path file = yaml("""
                server:
                  port: 9100
                gateway:
                  instance-id: from-yaml
                  heartbeat-interval: 10s
                  cleanup-interval: PT5S
                  connection-queue: 64
                  max-connections: 500
                  socket-send-buffer: 65536
                  cors:
                    allowed-origins: [https://a.example, https://b.example]
                  admin:
                    token: yaml-token
                  storage:
                    type: memory
                    memory:
                      max-events: 5
                """);
        Config config = GatewayConfig.load(file, Map.of(
                "PORT", "9200",
                "GATEWAY_HEARTBEAT_dash_INTERVAL", "2s",
                "ADMIN_TOKEN", "env-token"));
        GatewaySettings settings = settings(config);
        assertEquals(9200, settings.port());
        assertEquals("from-yaml", settings.instanceId());
        assertEquals(Duration.ofSeconds(2), settings.heartbeatInterval());
        assertEquals(Duration.ofSeconds(5), settings.cleanupInterval());
        assertEquals(64, settings.connectionQueue());
        assertEquals(500, settings.maxConnections());
        assertEquals(65536, settings.socketSendBuffer());
        assertEquals(List.of("https://a.example", "https://b.example"), settings.corsAllowedOrigins());
        assertEquals("env-token", settings.adminToken());
    }

    @Test
    void helidonEnvironmentMappingReachesPluginNodes() {
        Config config = GatewayConfig.load(dir.resolve("absent.yaml"), Map.of(
                "GATEWAY_STORAGE_TYPE", "noop",
                "GATEWAY_SOURCE_TYPE", "noop",
                "REDIS_URL", "redis://cache:6379"));
        assertEquals("noop", config.get("gateway.storage.type").asString().get());
        assertEquals("redis://cache:6379", config.get("gateway.source.redis.url").asString().get());
        assertEquals("redis://cache:6379", config.get("gateway.storage.redis.url").asString().get());
        Gateway gateway = ConfiguredGateway.builder(config, FactoryCatalog.builtIns()).build();
        assertEquals(8080, gateway.settings().port());
    }

    @Test
    void anUnknownTypeListsTheAvailableOnes() {
        Config config = GatewayConfig.load(dir.resolve("absent.yaml"), Map.of("GATEWAY_STORAGE_TYPE", "cassandra"));
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> ConfiguredGateway.builder(config, FactoryCatalog.builtIns()));
        assertTrue(e.getMessage().contains("Unknown storage type 'cassandra' in gateway.storage.type; available: memory, noop"),
                e.getMessage());
    }

    @Test
    void aBadValueNamesItsKey() throws Exception {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> ConfiguredGateway.builder(
                GatewayConfig.load(yaml("gateway:\n  heartbeat-interval: often\n"), Map.of()), FactoryCatalog.builtIns()));
        assertTrue(e.getMessage().contains("gateway.heartbeat-interval"), e.getMessage());

        ConfigurationException plugin = assertThrows(ConfigurationException.class, () -> ConfiguredGateway.builder(
                GatewayConfig.load(yaml("gateway:\n  storage:\n    memory:\n      max-events: none\n"), Map.of()),
                FactoryCatalog.builtIns()));
        assertTrue(plugin.getMessage().contains("storage 'memory' (built-in)"), plugin.getMessage());
        assertTrue(plugin.getMessage().contains("gateway.storage.memory.max-events"), plugin.getMessage());
    }

    @Test
    void builderNamesWhatIsMissing() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Gateway.builder().build());
        assertTrue(e.getMessage().contains("a source is required"), e.getMessage());
        assertTrue(e.getMessage().contains("a storage is required"), e.getMessage());
    }
}
