package io.ssegateway.host.config;

import io.helidon.config.Config;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.PluginCalls;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.plugin.PluginHost;
import io.ssegateway.spi.PluginConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

/**
 * Turns the configuration ({@code server.*}, {@code gateway.*}) into a {@link Gateway.Builder}: settings, and the
 * source, storage, authenticator and listeners picked by name from a {@link FactoryCatalog}.
 */
public final class ConfiguredGateway {

    private static final Logger LOG = Logger.getLogger(ConfiguredGateway.class.getName());

    private ConfiguredGateway() {
    }

    /**
     * @throws ConfigurationException a value is invalid, a type is unknown, or a factory failed; the message names
     *                                the key or plugin
     */
    public static Gateway.Builder builder(Config config, FactoryCatalog catalog) {
        return builder(config, catalog, List.of());
    }

    /**
     * Like {@link #builder(Config, FactoryCatalog)}; when a configured type is missing, the message also lists the
     * plugins that failed to load, since one of them is likely the one the configuration needs.
     */
    public static Gateway.Builder builder(Config config, FactoryCatalog catalog, List<PluginHost.Failure> failedPlugins) {
        try {
            return assemble(config, catalog);
        } catch (ConfigurationException e) {
            if (failedPlugins.isEmpty() || !e.getMessage().startsWith("Unknown ")) {
                throw e;
            }
            StringBuilder message = new StringBuilder(e.getMessage()).append(" These plugins failed to load:");
            failedPlugins.forEach(failure -> message.append("\n  - ").append(failure.describe()));
            throw new ConfigurationException(message.toString(), e);
        }
    }

    private static Gateway.Builder assemble(Config config, FactoryCatalog catalog) {
        PluginConfig server = new HelidonPluginConfig(config.get("server"));
        PluginConfig gateway = new HelidonPluginConfig(config.get("gateway"));
        Gateway.Builder builder = Gateway.builder();
        try {
            builder.host(server.get("host", "0.0.0.0"))
                    .port(server.getInt("port", 8080))
                    .instanceId(gateway.get("instance-id").orElse(null))
                    .dashboard(gateway.getBoolean("dashboard", true))
                    .heartbeatInterval(gateway.getDuration("heartbeat-interval", Duration.ofSeconds(30)))
                    .cleanupInterval(gateway.getDuration("cleanup-interval", Duration.ofSeconds(30)))
                    .adminToken(gateway.get("admin.token").orElse(null))
                    .corsAllowedOrigins(gateway.getList("cors.allowed-origins"))
                    .maxConnectionsPerIp(gateway.getInt("max-connections-per-ip", 0))
                    .connectionQueue(gateway.getInt("connection-queue", 1024))
                    .maxMessageBytes(gateway.getInt("max-message-bytes", 1024 * 1024))
                    .socketSendBuffer(gateway.getInt("socket-send-buffer", 0))
                    .retry(gateway.getDuration("retry", Duration.ofSeconds(3)),
                            gateway.getDuration("retry-jitter", Duration.ofSeconds(2)))
                    .retryAfter(gateway.getDuration("retry-after", Duration.ofSeconds(5)))
                    .shutdownGrace(gateway.getDuration("shutdown-grace", Duration.ofSeconds(5)));
            String maxConnections = gateway.get("max-connections", "auto").trim();
            if (!maxConnections.equalsIgnoreCase("auto")) {
                builder.maxConnections(gateway.getInt("max-connections", 0));
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }

        String sourceType = gateway.get("source.type", "noop");
        FactoryCatalog.Entry<io.ssegateway.spi.source.SourceFactory> source = catalog.source(sourceType);
        builder.source(create("source", sourceType, source.origin(), source.factory(),
                () -> source.factory().create(gateway.node("source." + sourceType))));

        String storageType = gateway.get("storage.type", "memory");
        FactoryCatalog.Entry<io.ssegateway.spi.storage.StorageFactory> storage = catalog.storage(storageType);
        builder.storage(create("storage", storageType, storage.origin(), storage.factory(),
                () -> storage.factory().create(gateway.node("storage." + storageType))));

        gateway.get("auth.type").filter(type -> !type.isBlank()).ifPresent(authType -> {
            FactoryCatalog.Entry<io.ssegateway.spi.auth.AuthenticatorFactory> auth = catalog.authenticator(authType);
            builder.auth(create("authenticator", authType, auth.origin(), auth.factory(),
                    () -> auth.factory().create(gateway.node("auth." + authType))));
        });

        List<String> listenerNames = gateway.getList("listeners");
        for (String name : listenerNames) {
            FactoryCatalog.Entry<io.ssegateway.spi.lifecycle.ListenerFactory> listener = catalog.listener(name);
            builder.listener(create("listener", name, listener.origin(), listener.factory(),
                    () -> listener.factory().create(gateway.node("listener." + name))));
        }
        LOG.info("Using source " + sourceType + " (" + source.origin() + "), storage " + storageType + " ("
                + storage.origin() + ")" + gateway.get("auth.type").filter(t -> !t.isBlank()).map(t -> ", authenticator " + t).orElse("")
                + (listenerNames.isEmpty() ? "" : ", listeners " + listenerNames));
        return builder;
    }

    /** Calls a factory with its class loader as context loader; any failure names the kind, type and origin. */
    private static <T> T create(String kind, String type, String origin, Object factory, Callable<T> call) {
        return PluginCalls.withContextLoader(factory, () -> {
            try {
                T created = call.call();
                if (created == null) {
                    throw new ConfigurationException("The " + kind + " factory '" + type + "' (" + origin + ") returned null");
                }
                return created;
            } catch (ConfigurationException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("Invalid configuration for " + kind + " '" + type + "' (" + origin + "): "
                        + e.getMessage(), e);
            } catch (Exception | LinkageError e) {
                throw new ConfigurationException("Could not create " + kind + " '" + type + "' (" + origin + "): " + e, e);
            }
        });
    }
}
