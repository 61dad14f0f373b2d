package io.ssegateway.host;

import io.helidon.config.Config;
import io.ssegateway.host.config.ConfigurationException;
import io.ssegateway.host.config.ConfiguredGateway;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.host.plugin.FactoryCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * {@code bin/sse-gateway}: reads {@code conf/application.yaml} under the gateway's home ({@code -Dssegateway.home},
 * default the working directory) and the environment, runs the gateway, and on SIGTERM or SIGINT shuts it down
 * gracefully and exits 0. A configuration error exits 2 with a message that says what to fix.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("ssegateway.home", "."));
        configureLogging(home.resolve("conf/logging.properties"));
        Logger log = Logger.getLogger(Main.class.getName());
        Gateway gateway;
        try {
            Config config = GatewayConfig.load(home.resolve("conf/application.yaml"));
            gateway = ConfiguredGateway.builder(config, FactoryCatalog.builtIns()).build();
        } catch (ConfigurationException | IllegalStateException e) {
            System.err.println("sse-gateway: " + e.getMessage());
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
            gateway.run();
        } catch (RuntimeException e) {
            System.err.println("sse-gateway: could not start: " + e.getMessage());
            gateway.stop();
            System.exit(1);
        }
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
