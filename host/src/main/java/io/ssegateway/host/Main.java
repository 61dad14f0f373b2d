package io.ssegateway.host;

import io.helidon.config.Config;
import io.ssegateway.host.config.ConfigurationException;
import io.ssegateway.host.config.ConfiguredGateway;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.plugin.PluginHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * {@code bin/sse-gateway}: reads {@code conf/application.yaml} under the gateway's home ({@code -Dssegateway.home},
 * default the working directory) and the environment, loads the plugins of {@code gateway.plugins-dir}, runs the
 * gateway, and on SIGTERM or SIGINT shuts it down gracefully and exits 0.
 * Exit codes: 2 for a configuration error (unknown type, bad value, plugin that cannot be created), 1 when the
 * gateway cannot start (port taken, source failing at once).
 */
public final class Main {

    /** A source whose {@code start} fails this quickly after start-up stops the start-up. */
    static final Duration SOURCE_START_CHECK = Duration.ofMillis(500);

    private Main() {
    }

    public static void main(String[] args) {
        long startedAt = System.nanoTime();
        Path home = Path.of(System.getProperty("ssegateway.home", ".")).toAbsolutePath().normalize();
        configureLogging(home.resolve("conf/logging.properties"));
        Logger log = Logger.getLogger(Main.class.getName());
        Gateway gateway;
        PluginHost plugins = null;
        try {
            Config config = GatewayConfig.load(home.resolve("conf/application.yaml"));
            FactoryCatalog catalog = FactoryCatalog.builtIns();
            plugins = PluginHost.load(home.resolve(config.get("gateway.plugins-dir").asString().orElse("plugins")), catalog);
            PluginHost loaded = plugins;
            gateway = ConfiguredGateway.builder(config, catalog, plugins.failures())
                    .plugins(loaded::states)
                    .onStop(loaded::close)
                    .sourceStartCheck(SOURCE_START_CHECK)
                    .build();
        } catch (ConfigurationException | IllegalStateException e) {
            System.err.println("sse-gateway: " + e.getMessage());
            if (plugins != null) {
                plugins.close();
            }
            System.exit(2);
            return;
        }
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), received -> {
                log.info("Received SIG" + received.getName() + ", shutting down");
                Thread.ofPlatform().name("sse-gateway-shutdown").start(gateway::stop);
            });
        }
        try {
            gateway.start();
        } catch (RuntimeException e) {
            System.err.println("sse-gateway: could not start: " + e.getMessage());
            gateway.stop();
            System.exit(1);
            return;
        }
        log.info("Started in " + (System.nanoTime() - startedAt) / 1_000_000 + " ms (JVM up "
                + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() + " ms)");
        gateway.awaitStopped();
        System.exit(0);
    }

    /** Uses {@code conf/logging.properties} unless {@code java.util.logging.config.file} was given. */
    private static void configureLogging(Path file) {
        if (System.getProperty("java.util.logging.config.file") != null || !Files.isRegularFile(file)) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            LogManager.getLogManager().readConfiguration(in);
        } catch (IOException e) {
            System.err.println("sse-gateway: could not read " + file + ": " + e.getMessage());
        }
    }
}
