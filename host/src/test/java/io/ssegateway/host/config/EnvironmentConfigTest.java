package io.ssegateway.host.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.plugin.PluginHost;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestPlugins;
import io.ssegateway.spi.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration from the environment as an operator sets it, on the distribution's own {@code application.yaml}:
 * lists, underscores for dashes, every key of the host and of plugins, and variables that set nothing.
 */
class EnvironmentConfigTest {

    /** The file the distribution ships (its empty lists are what environment lists must win over). */
    private static final Path SHIPPED_YAML = Path.of("../distribution/src/conf/application.yaml");
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path home;

    @RegisterExtension
    final Gateways gateways = new Gateways();
    private PluginHost plugins;

    @AfterEach
    void closePlugins() {
        if (plugins != null) {
            plugins.close();
        }
    }

    private Path pluginsDir() {
        return home.resolve("plugins");
    }

    /** Loads the shipped file with {@code environment} and the plugins of {@code plugins/}, as {@code Main} does. */
    private Loaded load(Map<String, String> environment) {
        assertTrue(Files.isRegularFile(SHIPPED_YAML), SHIPPED_YAML.toAbsolutePath().toString());
        FactoryCatalog catalog = FactoryCatalog.builtIns();
        GatewayConfig bootstrap = GatewayConfig.load(SHIPPED_YAML, environment, catalog);
        plugins = PluginHost.load(pluginsDir(), catalog);
        return new Loaded(bootstrap.withShortNamesOf(catalog), catalog);
    }

    private record Loaded(GatewayConfig config, FactoryCatalog catalog) {
        Gateway.Builder builder() {
            return ConfiguredGateway.builder(config, catalog).host("127.0.0.1").port(0);
        }
    }

    @Test
    void commaSeparatedListsReplaceTheShippedFilesEmptyLists() throws Exception {
        assertListsTakenFrom(Map.of(
                "GATEWAY_LISTENERS", "journal",
                "GATEWAY_CORS_ALLOWED_dash_ORIGINS", "https://a.example, https://b.example"));
    }

    @Test
    void indexedListItemsWorkAsWell() throws Exception {
        assertListsTakenFrom(Map.of(
                "GATEWAY_LISTENERS_0", "journal",
                "GATEWAY_CORS_ALLOWED_ORIGINS_1", "https://b.example",
                "GATEWAY_CORS_ALLOWED_ORIGINS_0", "https://a.example"));
    }

    /**
     * With the shipped file and {@code lists} (the journal listener, origins a and b), the gateway has both origins and
     * the listener hears of a connection.
     */
    private void assertListsTakenFrom(Map<String, String> lists) throws Exception {
        TestPlugins.journalListener(pluginsDir());
        Path journal = home.resolve("journal.txt");
        Map<String, String> environment = new HashMap<>(lists);
        environment.put("GATEWAY_LISTENER_JOURNAL_PATH", journal.toString());
        Gateway gateway = gateways.start(load(environment).builder());
        assertEquals(List.of("https://a.example", "https://b.example"), gateway.settings().corsAllowedOrigins());
        try (SseClient client = SseClient.subscribe(gateway.port(), "listed")) {
            assertEquals(200, client.status());
            SseClient.awaitCondition(() -> read(journal).contains("connect listed"), WAIT, () -> read(journal));
        }
    }

    @Test
    void underscoresForDashesSetTheHostsKeysAndTheDashFormStillWorks() {
        Loaded loaded = load(Map.of(
                "GATEWAY_HEARTBEAT_INTERVAL", "1s",
                "GATEWAY_KEEP_dash_ALIVE_dash_INTERVAL", "2s",
                "GATEWAY_MAX_CONNECTIONS_PER_IP", "3",
                "GATEWAY_MAX_CHANNELS_PER_CONNECTION", "5",
                "SERVER_HOST", "127.0.0.1"));
        Gateway gateway = ConfiguredGateway.builder(loaded.config(), loaded.catalog()).build();
        assertEquals(Duration.ofSeconds(1), gateway.settings().heartbeatInterval());
        assertEquals(Duration.ofSeconds(2), gateway.settings().keepAliveInterval());
        assertEquals(3, gateway.settings().maxConnectionsPerIp());
        assertEquals(5, gateway.settings().maxChannelsPerConnection());
        assertTrue(loaded.config().unusedVariables().isEmpty(), loaded.config().unusedVariables().toString());
    }

    /** Every key of the host's tables, in its underscore form, reaches the node the gateway reads it from. */
    @Test
    void everyKeyOfTheHostIsSettableWithUnderscores() {
        Map<String, String> environment = new HashMap<>();
        Map<String, String> expected = new HashMap<>();
        ConfiguredGateway.SERVER_SETTINGS.keySet().forEach(key -> expected.put("server." + key, "value of " + key));
        ConfiguredGateway.GATEWAY_SETTINGS.keySet().forEach(key -> expected.put("gateway." + key, "value of " + key));
        ConfiguredGateway.RENAMED_GATEWAY_KEYS.keySet().forEach(key -> expected.put("gateway." + key, "value of " + key));
        List.of("source.type", "storage.type", "auth.type", "plugins-dir", "log.level")
                .forEach(key -> expected.put("gateway." + key, "value of " + key));
        expected.forEach((key, value) -> environment.put(key.toUpperCase().replace('.', '_').replace('-', '_'), value));
        GatewayConfig config = GatewayConfig.load(home.resolve("absent.yaml"), environment);
        PluginConfig root = config.node("");
        expected.forEach((key, value) -> assertEquals(value, root.get(key).orElse(null), key));
        assertEquals(List.of("value of listeners"), GatewayConfig.load(home.resolve("absent.yaml"),
                Map.of("GATEWAY_LISTENERS", "value of listeners")).node("gateway").getList("listeners"));
    }

    @Test
    void aPluginsKeysAreSettableWithUnderscoresWithoutDeclaringThem() throws Exception {
        TestPlugins.greeterSource(pluginsDir());
        Loaded loaded = load(Map.of(
                "GATEWAY_SOURCE_TYPE", "greeter",
                "GATEWAY_SOURCE_GREETER_GREETING", "howdy",
                "GATEWAY_STORAGE_MEMORY_MAX_EVENTS", "1"));
        Gateway gateway = gateways.start(loaded.builder());
        try (SseClient client = SseClient.subscribe(gateway.port(), "plain")) {
            assertEquals("howdy plain tccl=true", client.awaitMessages(1, WAIT).get(0).data());
        }
        // nothing unused: the memory storage's factory read max-events through its underscore spelling
        assertTrue(loaded.config().unusedVariables().isEmpty(), loaded.config().unusedVariables().toString());
        assertEquals(1, loaded.config().node("gateway.storage.memory").getInt("max-events", 0));
    }

    @Test
    void twoSpellingsOfOneKeyWithDifferentValuesAreRefused() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> GatewayConfig.load(
                home.resolve("absent.yaml"), Map.of("GATEWAY_RETRY_AFTER", "1s", "GATEWAY_RETRY_dash_AFTER", "2s")));
        assertTrue(e.getMessage().contains("GATEWAY_RETRY_AFTER") && e.getMessage().contains("GATEWAY_RETRY_dash_AFTER"),
                e.getMessage());
        // the same value twice is no conflict
        GatewayConfig same = GatewayConfig.load(home.resolve("absent.yaml"),
                Map.of("GATEWAY_RETRY_AFTER", "1s", "GATEWAY_RETRY_dash_AFTER", "1s"));
        assertEquals("1s", same.node("gateway").get("retry-after").orElseThrow());
    }

    @Test
    void theOriginalsShortNamesStillWinOverEverything() {
        Loaded loaded = load(Map.of("PORT", "9300", "SERVER_PORT", "9400", "ENABLE_DASHBOARD", "false"));
        Gateway gateway = ConfiguredGateway.builder(loaded.config(), loaded.catalog()).build();
        assertEquals(9300, gateway.settings().port());
        assertFalse(gateway.settings().dashboard(), "the original's ENABLE_DASHBOARD");
    }

    @Test
    void gatewayVariablesThatSetNoKeyAreReportedAtStartUp() {
        Loaded loaded = load(Map.of(
                "GATEWAY_HEARTBEAT_INTERVL", "1s",
                "GATEWAY_STORAGE_REDIS_URL", "redis://cache:6379",
                "GATEWAY_HEARTBEAT_INTERVAL", "1s",
                "GATEWAY_STORAGE_MEMORY_TTL", "5m",
                "SERVER_SOFTWARE", "not ours"));
        ConfiguredGateway.builder(loaded.config(), loaded.catalog()).build();
        assertEquals(Set.of("GATEWAY_HEARTBEAT_INTERVL", "GATEWAY_STORAGE_REDIS_URL"), loaded.config().unusedVariables());
        try (LogCapture log = LogCapture.of(GatewayConfig.class)) {
            loaded.config().warnAboutUnusedVariables();
            assertTrue(log.contains("GATEWAY_HEARTBEAT_INTERVL, GATEWAY_STORAGE_REDIS_URL"), log.messages().toString());
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
