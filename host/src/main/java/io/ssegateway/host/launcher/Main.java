package io.ssegateway.host.launcher;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.config.ConfiguredGateway;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.plugin.PluginHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * {@code bin/sse-gateway}: with arguments, runs a plugin's command ({@link PluginTools}: {@code bin/sse-gateway token
 * …}); without, reads {@code conf/application.yaml} under the gateway's home ({@code -Dssegateway.home},
 * default the working directory) and the environment, loads the plugins of {@code gateway.plugins-dir}, runs the
 * gateway, and on SIGTERM or SIGINT shuts it down gracefully and exits 0.
 * Exit codes: 2 for a configuration error (unknown type, bad value, plugin that cannot be created), 1 when the
 * gateway cannot start (port taken, source failing at once), 3 when its listener stops accepting connections while it
 * runs (so that a supervisor restarts it).
 */
public final class Main {

    /** A source whose {@code start} fails this quickly after start-up stops the start-up. */
    static final Duration SOURCE_START_CHECK = Duration.ofMillis(500);
    /** The exit status when the listener died while the gateway ran. */
    static final int LISTENER_FAILED = 3;

    private Main() {
    }

    public static void main(String[] args) {
        long startedAt = System.nanoTime();
        Path home = Path.of(System.getProperty("ssegateway.home", ".")).toAbsolutePath().normalize();
        if (args.length > 0) {
            // a plugin's command (bin/sse-gateway token …): its output only, not the plugin loader's log
            LogManager.getLogManager().getLogger("").setLevel(Level.WARNING);
            System.exit(PluginTools.run(home, System.getenv(), args, PluginTools.writer(System.out),
                    PluginTools.writer(System.err)));
            return;
        }
        configureLogging(home.resolve("conf/logging.properties"));
        Logger log = Logger.getLogger(Main.class.getName());
        Gateway gateway;
        PluginHost plugins = null;
        try {
            Path file = home.resolve("conf/application.yaml");
            FactoryCatalog catalog = FactoryCatalog.builtIns();
            GatewayConfig bootstrap = GatewayConfig.load(file, System.getenv(), catalog);
            LogFormat.apply(bootstrap.node("gateway.log"));
            LogLevels.apply(bootstrap.node("gateway.log"));
            if (!listenAddressFree(bootstrap)) {
                // before the plugins load: a taken port is said at once, in one line
                System.exit(1);
                return;
            }
            plugins = PluginHost.load(home.resolve(bootstrap.node("gateway").get("plugins-dir", "plugins")), catalog);
            // now that the plugins' factories are known, their short environment names apply too
            GatewayConfig config = bootstrap.withShortNamesOf(catalog);
            PluginHost loaded = plugins;
            gateway = ConfiguredGateway.builder(config, catalog, plugins.failures())
                    .plugins(loaded::states)
                    .onStop(loaded::close)
                    .sourceStartCheck(SOURCE_START_CHECK)
                    .build();
            config.warnAboutUnusedVariables();
        } catch (ConfigurationException | IllegalStateException e) {
            LogFormat.report("sse-gateway: " + e.getMessage());
            if (plugins != null) {
                plugins.close();
            }
            System.exit(2);
            return;
        }
        JsonLogFormatter.instanceId(gateway.instanceId());
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), received -> {
                log.info("Received SIG" + received.getName() + ", shutting down");
                Thread.ofPlatform().name("sse-gateway-shutdown").start(gateway::stop);
            });
        }
        try {
            gateway.start();
        } catch (RuntimeException e) {
            LogFormat.report("sse-gateway: could not start: " + e.getMessage());
            gateway.stop();
            System.exit(1);
            return;
        }
        // names the bound port: with PORT=0 (tests, some supervisors) this line is where it is announced
        log.info("Started in " + (System.nanoTime() - startedAt) / 1_000_000 + " ms (JVM up "
                + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() + " ms), serving port "
                + gateway.port());
        // stopped by a signal, or (the default listener-failure action) because the listener died
        gateway.awaitStopped();
        if (gateway.listenerFailure().isPresent()) {
            log.severe("Exiting with status " + LISTENER_FAILED + " so that a supervisor restarts the gateway");
            System.exit(LISTENER_FAILED);
        }
        System.exit(0);
    }

    /** Whether the port can be bound, checked before the plugins load; if not, says why on one line. */
    private static boolean listenAddressFree(GatewayConfig config) {
        try {
            ConfiguredGateway.checkListenAddress(config);
            return true;
        } catch (IllegalStateException e) {
            LogFormat.report("sse-gateway: could not start: " + e.getMessage());
            return false;
        }
    }

    /** Uses {@code conf/logging.properties} unless {@code java.util.logging.config.file} was given. */
    private static void configureLogging(Path file) {
        if (System.getProperty("java.util.logging.config.file") != null || !Files.isRegularFile(file)) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            LogManager.getLogManager().readConfiguration(in);
        } catch (IOException e) {
            LogFormat.report("sse-gateway: could not read " + file + ": " + e.getMessage());
        }
    }
}
