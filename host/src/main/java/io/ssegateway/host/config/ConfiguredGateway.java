package io.ssegateway.host.config;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.host.plugin.PluginHost;
import io.ssegateway.spi.PluginConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.ObjIntConsumer;
import java.util.logging.Level;
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
    public static Gateway.Builder builder(GatewayConfig config, FactoryCatalog catalog) {
        return builder(config, catalog, List.of());
    }

    /**
     * Like {@link #builder(GatewayConfig, FactoryCatalog)}; when a configured type is missing, the message also lists the
     * plugins that failed to load, since one of them is likely the one the configuration needs.
     */
    public static Gateway.Builder builder(GatewayConfig config, FactoryCatalog catalog,
                                          List<PluginHost.Failure> failedPlugins) {
        try {
            return assemble(config, catalog);
        } catch (ConfigurationException e) {
            if (failedPlugins.isEmpty() || !e.getMessage().startsWith("Unknown ")) {
                throw e;
            }
            StringBuilder message = new StringBuilder(e.getMessage())
                    .append(" These plugins failed to load or provide no factories:");
            failedPlugins.forEach(failure -> message.append("\n  - ").append(failure.describe()));
            throw new ConfigurationException(message.toString(), e);
        }
    }

    /**
     * Checks that the configured {@code server.host} and {@code server.port} can be listened on, before anything
     * else is built (plugins loaded): a port in use stops start-up at once.
     *
     * @throws ConfigurationException a {@code server.*} value is invalid
     * @throws IllegalStateException  {@code cannot listen on <host>:<port>: <cause>}
     */
    public static void checkListenAddress(GatewayConfig config) {
        Gateway.Builder builder = Gateway.builder();
        try {
            applySet(builder, config.node("server"), SERVER_SETTINGS);
            PluginConfig gateway = config.node("gateway");
            for (String key : List.of("management.port", "management.host")) {
                if (isSet(gateway, key)) {
                    GATEWAY_SETTINGS.get(key).apply(builder, gateway, key);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
        builder.checkListenAddress();
    }

    /** How one configuration value is handed to the builder. */
    @FunctionalInterface
    private interface Setter {
        void apply(Gateway.Builder builder, PluginConfig node, String key);
    }

    /**
     * Every {@code server.*} value the gateway takes, and how. Applied only when set: the defaults live in
     * {@link Gateway.Builder} alone.
     */
    static final Map<String, Setter> SERVER_SETTINGS = Map.ofEntries(
            Map.entry("host", (builder, node, key) -> builder.host(node.require(key))),
            Map.entry("port", (builder, node, key) -> builder.port(node.getInt(key, 0))),
            Map.entry("max-tcp-connections", numberOrAuto(Gateway.Builder::maxTcpConnections)),
            Map.entry("request-header-timeout", (builder, node, key) -> builder.requestHeaderTimeout(node.getDuration(key, null))),
            Map.entry("idle-timeout", (builder, node, key) -> builder.idleTimeout(node.getDuration(key, null))),
            Map.entry("tls.cert", (builder, node, key) -> builder.tlsCert(Path.of(node.require(key)))),
            Map.entry("tls.key", (builder, node, key) -> builder.tlsKey(Path.of(node.require(key)))),
            Map.entry("tls.key-passphrase", (builder, node, key) -> builder.tlsKeyPassphrase(node.require(key))),
            Map.entry("tls.keystore", (builder, node, key) -> builder.tlsKeystore(Path.of(node.require(key)))),
            Map.entry("tls.keystore-passphrase", (builder, node, key) -> builder.tlsKeystorePassphrase(node.require(key))),
            Map.entry("tls.reload-interval", (builder, node, key) -> builder.tlsReloadInterval(node.getDuration(key, null))),
            Map.entry("http2.enabled", (builder, node, key) -> builder.http2(node.getBoolean(key, true))),
            Map.entry("http2.max-concurrent-streams", (builder, node, key) -> builder.http2MaxConcurrentStreams(node.getInt(key, 0))));

    /** Every plain {@code gateway.*} value the gateway takes, and how; applied only when set (see above). */
    static final Map<String, Setter> GATEWAY_SETTINGS = Map.ofEntries(
            Map.entry("instance-id", (builder, node, key) -> builder.instanceId(node.require(key))),
            Map.entry("dashboard", (builder, node, key) -> builder.dashboard(node.getBoolean(key, true))),
            Map.entry("heartbeat-interval", (builder, node, key) -> builder.heartbeatInterval(node.getDuration(key, null))),
            Map.entry("keep-alive-interval", (builder, node, key) -> builder.keepAliveInterval(node.getDuration(key, null))),
            Map.entry("admin.token", (builder, node, key) -> builder.adminToken(node.require(key))),
            Map.entry("cors.allowed-origins", (builder, node, key) -> builder.corsAllowedOrigins(node.getList(key))),
            Map.entry("max-connections", numberOrAuto(Gateway.Builder::maxConnections)),
            Map.entry("max-connections-per-ip", (builder, node, key) -> builder.maxConnectionsPerIp(node.getInt(key, 0))),
            Map.entry("max-channels-per-connection",
                    (builder, node, key) -> builder.maxChannelsPerConnection(node.getInt(key, 0))),
            Map.entry("send-backpressure.delay",
                    (builder, node, key) -> builder.sendBackpressureDelay(node.getDuration(key, null))),
            Map.entry("send-backpressure.max-wait",
                    (builder, node, key) -> builder.sendBackpressureMaxWait(node.getDuration(key, null))),
            Map.entry("connection-queue", (builder, node, key) -> builder.connectionQueue(node.getInt(key, 0))),
            Map.entry("connection-queue-bytes", (builder, node, key) -> builder.connectionQueueBytes(node.getLong(key, 0))),
            Map.entry("trusted-proxies", (builder, node, key) -> builder.trustedProxies(node.getList(key))),
            Map.entry("max-message-bytes", (builder, node, key) -> builder.maxMessageBytes(node.getInt(key, 0))),
            Map.entry("socket-send-buffer", (builder, node, key) -> builder.socketSendBuffer(node.getInt(key, 0))),
            Map.entry("replay-page-bytes", (builder, node, key) -> builder.replayPageBytes(node.getInt(key, 0))),
            Map.entry("retry", (builder, node, key) -> builder.retry(node.getDuration(key, null))),
            Map.entry("retry-jitter", (builder, node, key) -> builder.retryJitter(node.getDuration(key, null))),
            Map.entry("retry-after", (builder, node, key) -> builder.retryAfter(node.getDuration(key, null))),
            Map.entry("shutdown-grace", (builder, node, key) -> builder.shutdownGrace(node.getDuration(key, null))),
            Map.entry("request-body-timeout", (builder, node, key) -> builder.requestBodyTimeout(node.getDuration(key, null))),
            Map.entry("management.port", (builder, node, key) -> builder.managementPort(node.getInt(key, -1))),
            Map.entry("management.host", (builder, node, key) -> builder.managementHost(node.require(key))),
            Map.entry("access-log", (builder, node, key) -> builder.accessLog(node.getBoolean(key, false))),
            Map.entry("readiness-grace", (builder, node, key) -> builder.readinessGrace(node.getDuration(key, null))));

    /** Old names still accepted: old key → its new key. */
    static final Map<String, String> RENAMED_GATEWAY_KEYS = Map.of("cleanup-interval", "keep-alive-interval");

    /**
     * The {@code gateway.*} nodes that are not plain values: plugin selection and plugin nodes, and what only
     * {@code bin/sse-gateway} reads (the plugins directory, the log settings).
     */
    static final Set<String> GATEWAY_NODES = Set.of("source", "storage", "auth", "listeners", "listener", "plugins-dir",
            "log");

    private static Gateway.Builder assemble(GatewayConfig config, FactoryCatalog catalog) {
        PluginConfig server = config.node("server");
        PluginConfig gateway = config.node("gateway");
        Gateway.Builder builder = Gateway.builder();
        try {
            applySet(builder, server, SERVER_SETTINGS);
            RENAMED_GATEWAY_KEYS.forEach((oldKey, newKey) -> {
                if (isSet(gateway, oldKey) && !isSet(gateway, newKey)) {
                    LOG.warning(gateway.keyOf(oldKey) + " is deprecated; use " + gateway.keyOf(newKey));
                    GATEWAY_SETTINGS.get(newKey).apply(builder, gateway, oldKey);
                }
            });
            applySet(builder, gateway, GATEWAY_SETTINGS);
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

    private static void applySet(Gateway.Builder builder, PluginConfig node, Map<String, Setter> settings) {
        settings.forEach((key, setter) -> {
            if (isSet(node, key)) {
                setter.apply(builder, node, key);
            }
        });
    }

    /** A value, or a list, is present at {@code key}. */
    private static boolean isSet(PluginConfig node, String key) {
        return node.get(key).filter(value -> !value.isBlank()).isPresent() || !node.getList(key).isEmpty();
    }

    /** A number, or {@code auto}: the builder's default (derived from the open-files limit). */
    private static Setter numberOrAuto(ObjIntConsumer<Gateway.Builder> setter) {
        return (builder, node, key) -> {
            if (!node.require(key).trim().equalsIgnoreCase("auto")) {
                setter.accept(builder, node.getInt(key, 0));
            }
        };
    }

    /**
     * Calls a factory with its class loader as context loader; any failure names the kind, type and origin (and, for a
     * linkage error, the SPI versions), and logs its stack trace at FINE.
     */
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
                LOG.log(Level.FINE, "The " + kind + " factory '" + type + "' (" + origin + ") refused its configuration", e);
                throw new ConfigurationException("Invalid configuration for " + kind + " '" + type + "' (" + origin + "): "
                        + e.getMessage(), e);
            } catch (Exception | LinkageError e) {
                LOG.log(Level.FINE, "The " + kind + " factory '" + type + "' (" + origin + ") failed", e);
                throw new ConfigurationException("Could not create " + kind + " '" + type + "' (" + origin + "): "
                        + PluginCalls.describe(factory, e) + " (its stack trace is logged at FINE: GATEWAY_LOG_LEVEL="
                        + ConfiguredGateway.class.getPackageName() + "=FINE)", e);
            }
        });
    }
}
