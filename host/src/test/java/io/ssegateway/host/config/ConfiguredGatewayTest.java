package io.ssegateway.host.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.host.core.GatewaySettings;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.plugin.PluginHost;
import io.ssegateway.host.testkit.TestPlugins;
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

    private static GatewaySettings settings(GatewayConfig config) {
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
        assertEquals(Duration.ofSeconds(10), settings.requestHeaderTimeout());
        assertEquals(Duration.ofSeconds(30), settings.requestBodyTimeout());
        assertEquals(Duration.ofSeconds(60), settings.idleTimeout());
        long openFiles = ((com.sun.management.UnixOperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
        assertEquals(openFiles - Math.min(512, openFiles / 2), settings.maxTcpConnections());
        assertEquals(settings.maxTcpConnections() - Math.min(256, settings.maxTcpConnections() / 4),
                settings.maxConnections());
    }

    @Test
    void timeoutsAndTheTcpCapComeFromServerAndGatewayKeysAndTheEnvironment() throws Exception {
        Path file = yaml("""
                server:
                  request-header-timeout: 3s
                  idle-timeout: 45s
                  max-tcp-connections: 900
                gateway:
                  request-body-timeout: 20s
                  max-connections: auto
                """);
        GatewaySettings settings = settings(GatewayConfig.load(file, Map.of("SERVER_IDLE_dash_TIMEOUT", "50s")));
        assertEquals(Duration.ofSeconds(3), settings.requestHeaderTimeout());
        assertEquals(Duration.ofSeconds(20), settings.requestBodyTimeout());
        assertEquals(Duration.ofSeconds(50), settings.idleTimeout());
        assertEquals(900, settings.maxTcpConnections());
        // auto: the TCP cap less a quarter of it, at most 256, for requests that are not streams
        assertEquals(900 - 225, settings.maxConnections());
    }

    @Test
    void aStreamLimitThatLeavesNoRoomBelowTheTcpCapIsRefused() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ConfiguredGateway.builder(
                GatewayConfig.load(yaml("server:\n  max-tcp-connections: 100\ngateway:\n  max-connections: 100\n"),
                        Map.of()), FactoryCatalog.builtIns()).build());
        assertTrue(e.getMessage().contains("maxConnections (100) must be below maxTcpConnections (100)"), e.getMessage());
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
        GatewayConfig config = GatewayConfig.load(file, Map.of(
                "PORT", "9200",
                "GATEWAY_HEARTBEAT_dash_INTERVAL", "2s",
                "ADMIN_TOKEN", "env-token"));
        GatewaySettings settings = settings(config);
        assertEquals(9200, settings.port());
        assertEquals("from-yaml", settings.instanceId());
        assertEquals(Duration.ofSeconds(2), settings.heartbeatInterval());
        assertEquals(Duration.ofSeconds(5), settings.keepAliveInterval());
        assertEquals(64, settings.connectionQueue());
        assertEquals(500, settings.maxConnections());
        assertEquals(65536, settings.socketSendBuffer());
        assertEquals(List.of("https://a.example", "https://b.example"), settings.corsAllowedOrigins());
        assertEquals("env-token", settings.adminToken());
    }

    @Test
    void sendBackpressureIsReadFromYamlAndTheEnvironment() throws Exception {
        GatewaySettings fromYaml = settings(GatewayConfig.load(yaml("""
                gateway:
                  send-backpressure:
                    delay: 20ms
                    max-wait: 2s
                """), Map.of()));
        assertEquals(Duration.ofMillis(20), fromYaml.sendBackpressureDelay());
        assertEquals(Duration.ofSeconds(2), fromYaml.sendBackpressureMaxWait());
        GatewaySettings fromEnv = settings(GatewayConfig.load(dir.resolve("absent.yaml"),
                Map.of("GATEWAY_SEND_BACKPRESSURE_DELAY", "0")));
        assertEquals(Duration.ZERO, fromEnv.sendBackpressureDelay(), "0 turns it off");
        GatewaySettings defaults = settings(GatewayConfig.load(dir.resolve("absent.yaml"), Map.of()));
        assertEquals(Duration.ofMillis(100), defaults.sendBackpressureDelay());
        assertEquals(Duration.ofSeconds(1), defaults.sendBackpressureMaxWait());
        IllegalStateException negative = assertThrows(IllegalStateException.class,
                () -> Gateway.builder().sendBackpressureMaxWait(Duration.ofMillis(-1)).build());
        assertTrue(negative.getMessage().contains("sendBackpressureMaxWait"), negative.getMessage());
    }

    @Test
    void trustedProxiesAndTheQueueInBytesAreReadFromYamlAndTheEnvironment() throws Exception {
        GatewaySettings fromYaml = settings(GatewayConfig.load(yaml("""
                gateway:
                  trusted-proxies: [10.0.0.0/8, "fd00::/8", 192.0.2.1]
                  connection-queue-bytes: 1048576
                """), Map.of()));
        assertEquals(List.of("10.0.0.0/8", "fd00:0:0:0:0:0:0:0/8", "192.0.2.1/32"), fromYaml.trustedProxies());
        assertEquals(1_048_576, fromYaml.connectionQueueBytes());
        GatewaySettings fromEnv = settings(GatewayConfig.load(dir.resolve("absent.yaml"), Map.of(
                "GATEWAY_TRUSTED_PROXIES", "172.16.0.0/12,127.0.0.1", "GATEWAY_CONNECTION_QUEUE_BYTES", "4096")));
        assertEquals(List.of("172.16.0.0/12", "127.0.0.1/32"), fromEnv.trustedProxies());
        assertEquals(4096, fromEnv.connectionQueueBytes());
        GatewaySettings defaults = settings(GatewayConfig.load(dir.resolve("absent.yaml"), Map.of()));
        assertEquals(List.of(), defaults.trustedProxies(), "no proxy is trusted by default");
        assertEquals(8L << 20, defaults.connectionQueueBytes());
        IllegalStateException bad = assertThrows(IllegalStateException.class, () -> ConfiguredGateway.builder(
                GatewayConfig.load(dir.resolve("absent.yaml"), Map.of("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/40")),
                FactoryCatalog.builtIns()).build());
        assertTrue(bad.getMessage().contains("10.0.0.0/40"), bad.getMessage());
    }

    @Test
    void keepAliveIntervalIsReadAndWinsOverItsOldName() throws Exception {
        GatewaySettings settings = settings(GatewayConfig.load(yaml("""
                gateway:
                  keep-alive-interval: 7s
                  cleanup-interval: 5s
                  retry: 1s
                  retry-jitter: 0s
                """), Map.of()));
        assertEquals(Duration.ofSeconds(7), settings.keepAliveInterval());
        assertEquals(Duration.ofSeconds(1), settings.retry());
        assertEquals(Duration.ZERO, settings.retryJitter());
    }

    @Test
    void helidonEnvironmentMappingReachesPluginNodes() {
        GatewayConfig config = GatewayConfig.load(dir.resolve("absent.yaml"), Map.of(
                "GATEWAY_STORAGE_TYPE", "noop",
                "GATEWAY_SOURCE_TYPE", "noop",
                "GATEWAY_STORAGE_MEMORY_MAX_dash_EVENTS", "7"));
        assertEquals("noop", config.node("").get("gateway.storage.type").orElseThrow());
        assertEquals("7", config.node("").get("gateway.storage.memory.max-events").orElseThrow());
        Gateway gateway = ConfiguredGateway.builder(config, FactoryCatalog.builtIns()).build();
        assertEquals(8080, gateway.settings().port());
    }

    @Test
    void aPluginsShortEnvironmentNamesSetItsOwnNodeOnly() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        TestPlugins.headerAuth(plugins);
        FactoryCatalog catalog = FactoryCatalog.builtIns();
        try (PluginHost host = PluginHost.load(plugins, catalog)) {
            Map<String, String> environment = Map.of("GATEWAY_AUTH_TYPE", "header-auth", "PASS_SECRET", "from-env");
            GatewayConfig withPlugin = GatewayConfig.load(yaml("gateway:\n  auth:\n    header-auth:\n      secret: from-file\n"),
                    environment, catalog);
            assertEquals("from-env", withPlugin.node("").get("gateway.auth.header-auth.secret").orElseThrow(),
                    "the declared short name wins over the file");
            assertTrue(withPlugin.node("").get("gateway.auth.other.secret").isEmpty());
            GatewayConfig withoutPlugin = GatewayConfig.load(yaml("gateway: {}\n"), environment, FactoryCatalog.builtIns());
            assertTrue(withoutPlugin.node("").get("gateway.auth.header-auth.secret").isEmpty(),
                    "no factory declares PASS_SECRET without the plugin");
        }
    }

    @Test
    void anUnknownTypeListsTheAvailableOnes() {
        GatewayConfig config = GatewayConfig.load(dir.resolve("absent.yaml"), Map.of("GATEWAY_STORAGE_TYPE", "cassandra"));
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
    void aFileThatIsNotYamlIsAConfigurationErrorNamingTheFile() throws Exception {
        Path file = yaml("gateway:\n  heartbeat-interval: [unclosed\n");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> GatewayConfig.load(file, Map.of()));
        assertTrue(e.getMessage().startsWith("Cannot read " + file), e.getMessage());
    }

    @Test
    void builderNamesWhatIsMissing() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Gateway.builder().build());
        assertTrue(e.getMessage().contains("a source is required"), e.getMessage());
        assertTrue(e.getMessage().contains("a storage is required"), e.getMessage());
    }
}
