package io.ssegateway.host.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.EnvironmentVariables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Loads the gateway configuration: {@code conf/application.yaml}, overridden by system properties, overridden by
 * environment variables (Helidon's mapping: {@code GATEWAY_SOURCE_TYPE} → {@code gateway.source.type},
 * {@code _dash_} → {@code -}), overridden by the short names users know from the original gateway
 * ({@code PORT}, {@code REDIS_URL}, …).
 */
public final class GatewayConfig {

    private static final Logger LOG = Logger.getLogger(GatewayConfig.class.getName());

    /** Short environment names → the keys they set. */
    public static final Map<String, List<String>> ENV_ALIASES = Map.of(
            "PORT", List.of("server.port"),
            "INSTANCE_ID", List.of("gateway.instance-id"),
            "ADMIN_TOKEN", List.of("gateway.admin.token"),
            "REDIS_URL", List.of("gateway.source.redis.url", "gateway.storage.redis.url",
                    "gateway.source.channel-registry.redis-url"),
            "PUSH_PORT", List.of("gateway.source.channel-registry.push-port"),
            "GATEWAY_ADDR", List.of("gateway.source.channel-registry.address"),
            "CHANNEL_TTL", List.of("gateway.source.channel-registry.channel-ttl"));

    /** The keys the {@code gateway} node may hold; anything else in the YAML file is reported as a likely typo. */
    static final Set<String> GATEWAY_KEYS = Set.of("instance-id", "dashboard", "heartbeat-interval",
            "cleanup-interval", "admin", "cors", "max-connections", "max-connections-per-ip", "connection-queue",
            "max-message-bytes", "socket-send-buffer", "retry", "retry-jitter", "retry-after", "shutdown-grace", "source", "storage", "auth",
            "listeners", "listener", "plugins-dir");

    private GatewayConfig() {
    }

    /** The configuration from {@code file} (optional) and the process environment and system properties. */
    public static Config load(Path file) {
        return load(file, System.getenv());
    }

    /** The configuration from {@code file} (optional) and the given environment and the system properties. */
    public static Config load(Path file, Map<String, String> environment) {
        Map<String, String> aliases = new HashMap<>();
        ENV_ALIASES.forEach((name, keys) -> {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                keys.forEach(key -> aliases.put(key, value));
            }
        });
        Config.Builder builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(aliases, "environment aliases"))
                .addSource(ConfigSources.create(EnvironmentVariables.expand(environment), "environment variables"))
                .addSource(ConfigSources.systemProperties());
        if (Files.isRegularFile(file)) {
            builder.addSource(ConfigSources.file(file));
            warnAboutUnknownKeys(file);
        }
        return builder.build();
    }

    private static void warnAboutUnknownKeys(Path file) {
        Config fileOnly = Config.just(ConfigSources.file(file));
        Set<String> unknown = new TreeSet<>();
        fileOnly.get("gateway").asNodeList().orElse(List.of()).forEach(node -> {
            if (!GATEWAY_KEYS.contains(node.name())) {
                unknown.add("gateway." + node.name());
            }
        });
        if (!unknown.isEmpty()) {
            LOG.warning("Unknown configuration keys in " + file + " (ignored; typo?): " + String.join(", ", unknown));
        }
    }
}
