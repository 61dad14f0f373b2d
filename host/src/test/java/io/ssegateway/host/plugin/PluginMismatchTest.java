package io.ssegateway.host.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.config.ConfiguredGateway;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.host.sse.SseEndpoint;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.PluginBuilder;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.spi.SpiVersion;
import io.ssegateway.spi.auth.AuthenticatorFactory;
import io.ssegateway.spi.lifecycle.ListenerFactory;
import io.ssegateway.spi.source.SourceFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins that do not fit: no factories registered, built against another SPI version (a linkage error when a factory
 * creates or when the gateway calls it), a copy of the SPI bundled. Each is fabricated with {@link PluginBuilder}; what
 * is asserted is what the operator reads.
 */
class PluginMismatchTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String HINT = "built against another SPI version? plugin 'legacy' 1.0.0 declares "
            + "Plugin-Requires >=0.1.0; this gateway provides SPI " + SpiVersion.CURRENT;

    @TempDir
    Path home;

    @RegisterExtension
    final Gateways gateways = new Gateways();
    private PluginHost host;

    @AfterEach
    void closePlugins() {
        if (host != null) {
            host.close();
        }
    }

    private Path plugins() {
        return home.resolve("plugins");
    }

    /** The plugins of {@code plugins/} and the {@code yaml} configuration, as {@code Main} assembles them. */
    private Gateway.Builder assemble(String yaml) throws Exception {
        Files.writeString(home.resolve("application.yaml"), yaml);
        FactoryCatalog catalog = FactoryCatalog.builtIns();
        host = PluginHost.load(plugins(), catalog);
        GatewayConfig config = GatewayConfig.load(home.resolve("application.yaml"), Map.of(), catalog);
        return ConfiguredGateway.builder(config, catalog, host.failures()).host("127.0.0.1").port(0);
    }

    private static String authenticatorClass(String pkg) {
        return """
                package %s;
                public final class Auth implements io.ssegateway.spi.auth.Authenticator {
                    public io.ssegateway.spi.auth.AuthResult authenticate(io.ssegateway.spi.auth.AuthRequest request) {
                        return io.ssegateway.spi.auth.AuthResult.allow();
                    }
                }
                """.formatted(pkg);
    }

    @Test
    void aPluginWithoutMetaInfServicesIsAWarningWithItsLikelyCauseAndIsNamedByTheUnknownTypeError() throws Exception {
        Path jar = PluginBuilder.jar("silent").source("test.silent.Auth", authenticatorClass("test.silent"))
                .writeTo(plugins());
        ConfigurationException e;
        try (LogCapture log = LogCapture.of(PluginHost.class)) {
            e = assertThrows(ConfigurationException.class,
                    () -> assemble("gateway:\n  auth:\n    type: silent\n"));
            assertTrue(log.contains("Plugin FAILED: plugin 'silent' (" + jar + "): it provides no factories: no "
                    + "META-INF/services file names a factory. Likely cause"), log.messages().toString());
        }
        assertTrue(e.getMessage().startsWith("Unknown authenticator type 'silent' in gateway.auth.type; available: none."),
                e.getMessage());
        assertTrue(e.getMessage().contains("These plugins failed to load or provide no factories:\n  - plugin 'silent' ("
                + jar + "): it provides no factories"), e.getMessage());
        assertTrue(e.getMessage().contains("META-INF/services/<factory interface>"), e.getMessage());
    }

    @Test
    void servicesListedUnderAnotherSpisInterfaceNamesSaySo() throws Exception {
        PluginBuilder.jar("renamed").source("test.renamed.Auth", authenticatorClass("test.renamed"))
                .service("io.ssegateway.spi.AuthenticatorFactory", "test.renamed.Auth")
                .writeTo(plugins());
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> assemble("gateway:\n  auth:\n    type: renamed\n"));
        assertTrue(e.getMessage().contains("it lists io.ssegateway.spi.AuthenticatorFactory in META-INF/services, which "
                + "the gateway's SPI " + SpiVersion.CURRENT + " does not have (built against another SPI version?)"),
                e.getMessage());
        assertTrue(e.getMessage().contains(AuthenticatorFactory.class.getName()), e.getMessage());
    }

    @Test
    void aFactoryBuiltAgainstAnotherSpiFailsWithBothVersionsAndItsStackTraceAtFine() throws Exception {
        Path olderSpi = PluginBuilder.library("older-spi", Map.of("io.ssegateway.spi.source.PollingSource",
                "package io.ssegateway.spi.source;\npublic interface PollingSource { }\n"));
        PluginBuilder.jar("legacy").requires(">=0.1.0").compiledAgainst(olderSpi)
                .source("test.legacy.Factory", """
                        package test.legacy;
                        import io.ssegateway.spi.*;
                        import io.ssegateway.spi.source.*;
                        public final class Factory implements SourceFactory {
                            public String name() { return "legacy"; }
                            public MessageSource create(PluginConfig config) {
                                Object kind = PollingSource.class; // gone from the SPI this gateway provides
                                throw new IllegalStateException("unreachable " + kind);
                            }
                        }
                        """)
                .service(SourceFactory.class, "test.legacy.Factory")
                .writeTo(plugins());
        try (LogCapture log = LogCapture.of(ConfiguredGateway.class, Level.FINE)) {
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> assemble("gateway:\n  source:\n    type: legacy\n"));
            assertTrue(e.getMessage().contains("Could not create source 'legacy' (plugin legacy 1.0.0 ("), e.getMessage());
            assertTrue(e.getMessage().contains("java.lang.NoClassDefFoundError: io/ssegateway/spi/source/PollingSource — "
                    + HINT + ": rebuild it against sse-gateway-spi " + SpiVersion.CURRENT), e.getMessage());
            assertTrue(e.getMessage().contains("logged at FINE"), e.getMessage());
            assertTrue(log.records().stream().anyMatch(record -> record.getLevel() == Level.FINE
                    && record.getThrown() instanceof NoClassDefFoundError), log.messages().toString());
        }
    }

    @Test
    void aListenerCallingAMethodTheSpiNoLongerHasIsExplainedWhenCalled() throws Exception {
        Path olderSpi = PluginBuilder.library("older-spi", Map.of("io.ssegateway.spi.SpiVersion", """
                package io.ssegateway.spi;
                public final class SpiVersion {
                    public static String legacyName() { return "0.1"; }
                }
                """));
        PluginBuilder.jar("legacy").requires(">=0.1.0").compiledAgainst(olderSpi)
                .source("test.legacy.Factory", """
                        package test.legacy;
                        import io.ssegateway.spi.*;
                        import io.ssegateway.spi.lifecycle.*;
                        public final class Factory implements ListenerFactory {
                            public String name() { return "legacy"; }
                            public ConnectionListener create(PluginConfig config) {
                                return new ConnectionListener() {
                                    public void onConnect(ConnectionInfo connection) { SpiVersion.legacyName(); }
                                };
                            }
                        }
                        """)
                .service(ListenerFactory.class, "test.legacy.Factory")
                .writeTo(plugins());
        Gateway gateway = gateways.start(assemble("gateway:\n  listeners: [legacy]\n"));
        try (LogCapture log = LogCapture.of(PluginCalls.class);
             SseClient client = SseClient.subscribe(gateway.port(), "calls")) {
            assertEquals(200, client.status(), "a failing listener never breaks the connection");
            SseClient.awaitCondition(() -> log.contains("java.lang.NoSuchMethodError"), WAIT, () -> log.messages().toString());
            assertTrue(log.contains("onConnect of test.legacy.Factory$1 failed: java.lang.NoSuchMethodError"),
                    log.messages().toString());
            assertTrue(log.contains(HINT), log.messages().toString());
        }
    }

    @Test
    void anAuthenticatorOfAnotherSpiAnswers503AndTheLogSaysWhy() throws Exception {
        // SPI 0.1's Authenticator answered Optional<Denial>; 0.2's answers AuthResult
        Path olderSpi = PluginBuilder.library("older-spi", Map.of("io.ssegateway.spi.auth.Authenticator", """
                package io.ssegateway.spi.auth;
                public interface Authenticator {
                    java.util.Optional<Denial> authenticate(AuthRequest request) throws Exception;
                }
                """));
        PluginBuilder.jar("legacy").requires(">=0.1.0").compiledAgainst(olderSpi)
                .source("test.legacy.Auth", """
                        package test.legacy;
                        import io.ssegateway.spi.auth.*;
                        public final class Auth implements Authenticator {
                            public java.util.Optional<Denial> authenticate(AuthRequest request) {
                                return java.util.Optional.empty();
                            }
                        }
                        """)
                .source("test.legacy.Factory", """
                        package test.legacy;
                        import io.ssegateway.spi.PluginConfig;
                        import io.ssegateway.spi.auth.*;
                        public final class Factory implements AuthenticatorFactory {
                            public String name() { return "legacy"; }
                            public Authenticator create(PluginConfig config) { return new Auth(); }
                        }
                        """)
                .service(AuthenticatorFactory.class, "test.legacy.Factory")
                .writeTo(plugins());
        Gateway gateway = gateways.start(assemble("gateway:\n  auth:\n    type: legacy\n"));
        try (LogCapture log = LogCapture.of(SseEndpoint.class);
             SseClient client = SseClient.subscribe(gateway.port(), "auth")) {
            assertEquals(503, client.status(), client.errorBody());
            assertTrue(log.contains("Authenticator test.legacy.Auth failed: java.lang.AbstractMethodError"),
                    log.messages().toString());
            assertTrue(log.contains(HINT), log.messages().toString());
        }
    }

    /** The docs say not to bundle the SPI; one that does still works, the gateway's SPI being used, and is told why. */
    @Test
    void aZipBundlingTheSpiLoadsWithTheGatewaysSpiAndAWarning() throws Exception {
        Path bundledSpi = PluginBuilder.library("sse-gateway-spi-0.1.0", Map.of("io.ssegateway.spi.SpiVersion", """
                        package io.ssegateway.spi;
                        public final class SpiVersion {
                            public static final String CURRENT = "0.1.0";
                        }
                        """), Map.of("io/ssegateway/spi/spi-version.properties", "version=0.1.0\n"));
        Path zip = PluginBuilder.zip("bundler").library(bundledSpi)
                .source("test.bundler.Factory", """
                        package test.bundler;
                        import io.ssegateway.spi.*;
                        import io.ssegateway.spi.lifecycle.ConnectionInfo;
                        import io.ssegateway.spi.source.*;
                        public final class Factory implements SourceFactory {
                            public String name() { return "bundler"; }
                            public MessageSource create(PluginConfig config) {
                                return new MessageSource() {
                                    private volatile MessageHandler handler;
                                    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel) throws Exception {
                                        this.handler = handler;
                                        cancel.await();
                                    }
                                    public String name() { return "bundler"; }
                                    public void onConnect(ConnectionInfo connection) {
                                        handler.handle(IncomingMessage.toChannel(connection.channelId(), "spi",
                                                SpiVersion.class.getClassLoader() == MessageSource.class.getClassLoader()
                                                        ? "the gateway's" : "the plugin's"), IfStorageFails.DELIVER_UNSTORED);
                                    }
                                };
                            }
                        }
                        """)
                .service(SourceFactory.class, "test.bundler.Factory")
                .writeTo(plugins());
        Gateway gateway;
        try (LogCapture log = LogCapture.of(PluginHost.class)) {
            gateway = gateways.start(assemble("gateway:\n  source:\n    type: bundler\n"));
            assertTrue(log.contains("Plugin 'bundler' (" + zip + ") bundles the sse-gateway SPI 0.1.0 "
                    + "(sse-gateway-spi-0.1.0.jar); it is ignored, the gateway's SPI " + SpiVersion.CURRENT + " is used"),
                    log.messages().toString());
        }
        SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 200, WAIT,
                () -> Http.get(gateway.port(), "/ready").body());
        try (SseClient client = SseClient.subscribe(gateway.port(), "bundled")) {
            SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
            assertEquals("the gateway's", event.data());
        }
    }
}
