package io.ssegateway.host.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.config.ConfiguredGateway;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.PluginBuilder;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Plugins fabricated in a temp dir, loaded by PF4J, selected by configuration, used over real SSE connections. */
class PluginLoadingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path home;

    @RegisterExtension
    final Gateways gateways = new Gateways();
    private Gateway gateway;


    private Path plugins() {
        return home.resolve("plugins");
    }

    /** Starts a gateway as {@code Main} would, on a free port, from {@code yaml} and {@code plugins/}. */
    private Gateway start(String yaml) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/application.yaml"), yaml);
        GatewayConfig config = GatewayConfig.load(home.resolve("conf/application.yaml"), Map.of());
        FactoryCatalog catalog = FactoryCatalog.builtIns();
        PluginHost plugins = PluginHost.load(plugins(), catalog);
        gateway = gateways.start(ConfiguredGateway.builder(config, catalog, plugins.failures())
                .plugins(plugins::states).onStop(plugins::close)
                .host("127.0.0.1").port(0).keepAliveInterval(Duration.ofMillis(200)));
        return gateway;
    }

    @Test
    void sourceStorageAuthenticatorAndListenerPluginsWorkEndToEnd() throws Exception {
        TestPlugins.greeterSource(plugins());
        TestPlugins.listStorage(plugins());
        TestPlugins.headerAuth(plugins());
        TestPlugins.journalListener(plugins());
        Path journal = home.resolve("journal.txt");
        start("""
                gateway:
                  source:
                    type: greeter
                    greeter:
                      greeting: bonjour
                      journal: %1$s
                  storage:
                    type: list
                    list:
                      journal: %1$s
                  auth:
                    type: header-auth
                    header-auth:
                      secret: open-sesame
                  listeners: [journal]
                  listener:
                    journal:
                      path: %1$s
                """.formatted(journal));
        int port = gateway.port();

        SseClient denied = SseClient.subscribe(port, "room");
        assertEquals(401, denied.status());
        assertEquals("{\"error\":\"no pass\"}", denied.errorBody());

        try (SseClient client = SseClient.connect(port, "/sse/connect?channel_id=room",
                SseClient.options().header("X-Pass", "open-sesame"))) {
            SseClient.Event welcome = client.awaitMessages(1, WAIT).get(0);
            assertEquals("welcome", welcome.type());
            // greeted by the source plugin, running with its own loader as context class loader
            assertEquals("bonjour room tccl=true", welcome.data());
            assertEquals("list-1", welcome.id());
            assertEquals("list-2", Http.publish(port, "room", "note", "via api"));
            assertEquals("via api", client.awaitMessages(2, WAIT).get(1).data());
        }
        // the replay comes from the storage plugin, which marked what it stored with its context class loader check
        try (SseClient replay = SseClient.connect(port, "/sse/connect?channel_id=room&last_event_id=earliest",
                SseClient.options().header("X-Pass", "open-sesame"))) {
            List<SseClient.Event> events = replay.awaitMessages(3, WAIT);
            assertEquals("bonjour room tccl=true tccl=true", events.get(0).data());
            assertEquals("via api tccl=true", events.get(1).data());
            assertEquals("list-3", events.get(2).id(), "the second connection's own welcome");
        }
        SseClient.awaitCondition(() -> read(journal).contains("disconnect room"), WAIT, () -> read(journal));
        assertTrue(read(journal).startsWith("connect room\n"), read(journal));
        SseClient.awaitCondition(() -> read(journal).lines().filter(line -> line.equals("disconnect room")).count() == 2,
                WAIT, () -> read(journal));

        JsonNode stats = Http.get(port, "/api/stats").json();
        assertEquals("greeter", stats.get("source").get("name").asText());
        assertEquals("list", stats.get("storage").get("name").asText());
        assertEquals(4, stats.get("plugins").size(), stats.get("plugins").toString());
        stats.get("plugins").forEach(plugin -> assertEquals("STARTED", plugin.get("state").asText(), plugin.toString()));

        gateway.stop();
        gateway = null;
        List<String> order = read(journal).lines().filter(line -> line.endsWith("stopped") || line.endsWith("closed")).toList();
        assertEquals(List.of("source stopped", "storage closed"), order, "the source stops before the storage closes");
    }

    @Test
    void theyAreCompiledAgainstTheSpiJarAlone() throws Exception {
        // PluginBuilder's compile classpath is the SPI location only; a plugin touching host classes fails to build
        AssertionError error = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () ->
                PluginBuilder.jar("sneaky").source("test.Sneaky", """
                        package test;
                        public class Sneaky { io.ssegateway.host.Gateway gateway; }
                        """).writeTo(plugins()));
        assertTrue(error.getMessage().contains("do not compile against the SPI alone"), error.getMessage());
        assertTrue(PluginBuilder.spiLocation().toString().contains("spi"), PluginBuilder.spiLocation().toString());
    }

    @Test
    void aZipPluginUsesTheLibrariesInItsLibFolder() throws Exception {
        TestPlugins.shouterZip(plugins());
        start("gateway:\n  source:\n    type: shouter\n");
        try (SseClient client = SseClient.subscribe(gateway.port(), "zip")) {
            assertEquals("HI ZIP!", client.awaitMessages(1, WAIT).get(0).data());
        }
    }

    @Test
    void aPluginBundlingAnotherJacksonUsesItsOwnBesideTheHosts() throws Exception {
        Path libs = Path.of(System.getProperty("plugin.test.libs"));
        List<Path> jackson;
        try (Stream<Path> files = Files.list(libs)) {
            jackson = files.filter(file -> file.getFileName().toString().startsWith("jackson-")).sorted().toList();
        }
        assertEquals(3, jackson.size(), "jackson 2.17.2 jars in " + libs);
        TestPlugins.jacksonProbeZip(plugins(), jackson);
        start("gateway:\n  source:\n    type: jackson-probe\n");
        try (SseClient client = SseClient.subscribe(gateway.port(), "j")) {
            JsonNode seen = Http.JSON.readTree(client.awaitMessages(1, WAIT).get(0).data());
            assertEquals("2.17.2", seen.get("version").asText());
        }
        String hostVersion = com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString();
        assertTrue(!hostVersion.equals("2.17.2") && hostVersion.startsWith("2."), hostVersion);
        // and the host's own JSON (stats) still works with the host's Jackson
        assertEquals(200, Http.get(gateway.port(), "/api/stats").status());
    }

    @Test
    void aBrokenPluginThatIsNotConfiguredIsReportedAndTheGatewayRuns() throws Exception {
        TestPlugins.withoutDescriptor(plugins());
        TestPlugins.wrongSpiVersion(plugins());
        TestPlugins.greeterSource(plugins());
        start("gateway:\n  source:\n    type: greeter\n");
        try (SseClient client = SseClient.subscribe(gateway.port(), "ok")) {
            assertEquals("hello ok tccl=true", client.awaitMessages(1, WAIT).get(0).data().replace(" tccl=true", " tccl=true"));
        }
        JsonNode plugins = Http.get(gateway.port(), "/api/stats").json().get("plugins");
        assertEquals(3, plugins.size(), plugins.toString());
        assertTrue(plugins.toString().contains("\"id\":\"greeter\",\"version\":\"1.0.0\",\"state\":\"STARTED\""), plugins.toString());
        assertTrue(plugins.toString().contains("\"id\":\"future\",\"version\":\"1.0.0\",\"state\":\"FAILED\""), plugins.toString());
        assertTrue(plugins.toString().contains("\"id\":\"orphan-1.0.0.jar\",\"version\":\"\",\"state\":\"FAILED\""), plugins.toString());
    }

    @Test
    void aListenerPluginThatThrowsIsCountedAndNeverBreaksTheConnection() throws Exception {
        TestPlugins.journalListener(plugins());
        start("""
                gateway:
                  listeners: journal
                  listener:
                    journal:
                      path: %s
                      fail: true
                """.formatted(home.resolve("unused.txt")));
        try (SseClient client = SseClient.subscribe(gateway.port(), "c")) {
            Http.publish(gateway.port(), "c", "t", "delivered");
            assertEquals("delivered", client.awaitMessages(1, WAIT).get(0).data());
        }
        SseClient.awaitCondition(() -> gateway.metrics().callbackErrors.sum() == 2, WAIT,
                () -> "callback errors: " + gateway.metrics().callbackErrors.sum());
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
