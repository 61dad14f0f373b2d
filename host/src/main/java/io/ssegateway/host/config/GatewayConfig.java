package io.ssegateway.host.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import io.ssegateway.host.core.ConfigurationException;
import io.ssegateway.host.plugin.FactoryCatalog;
import io.ssegateway.spi.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The gateway's configuration: every key is looked up, when it is read, in these layers, the first that sets it
 * winning:
 * <ol>
 *   <li>the short environment names users know from the original gateway: the host's ({@code PORT},
 *       {@code INSTANCE_ID}, {@code ADMIN_TOKEN}, {@code ENABLE_DASHBOARD}) and those each plugin factory declares for its own node
 *       ({@code REDIS_URL}, {@code PUSH_PORT}, …: {@link io.ssegateway.spi.PluginFactory#environmentAliases()});</li>
 *   <li>environment variables, in any spelling of the key ({@link EnvironmentKeys}: {@code GATEWAY_HEARTBEAT_INTERVAL},
 *       {@code GATEWAY_HEARTBEAT_dash_INTERVAL});</li>
 *   <li>Java system properties named like the key ({@code -Dgateway.heartbeat-interval=10s});</li>
 *   <li>{@code conf/application.yaml}.</li>
 * </ol>
 * A list set in an upper layer (one comma-separated value, or indexed items) replaces the file's list as a whole. Keys
 * are read through {@link #node}, as {@link PluginConfig}s, by the host and by the plugins alike, so a plugin's keys
 * are settable from the environment without declaring them.
 */
public final class GatewayConfig {

    private static final Logger LOG = Logger.getLogger(GatewayConfig.class.getName());

    /** The host's short environment names → the keys they set; plugins declare their own. */
    static final Map<String, List<String>> HOST_ENV_ALIASES = Map.of(
            "PORT", List.of("server.port"),
            "INSTANCE_ID", List.of("gateway.instance-id"),
            "ADMIN_TOKEN", List.of("gateway.admin.token"),
            "ENABLE_DASHBOARD", List.of("gateway.dashboard"));

    /** The names the {@code gateway} node may hold; anything else in the YAML file is reported as a likely typo. */
    static final Set<String> GATEWAY_KEYS = gatewayKeys();

    private static Set<String> gatewayKeys() {
        Set<String> names = new TreeSet<>(ConfiguredGateway.GATEWAY_NODES);
        ConfiguredGateway.GATEWAY_SETTINGS.keySet().forEach(key -> names.add(key.split("\\.")[0]));
        names.addAll(ConfiguredGateway.RENAMED_GATEWAY_KEYS.keySet());
        return Set.copyOf(names);
    }

    /** Full key → value of the short names set in the environment. */
    private final Map<String, String> aliases;
    private final Map<String, String> variables;
    private final EnvironmentKeys environment;
    private final Map<String, String> systemProperties;
    private final Config file;

    private GatewayConfig(Map<String, String> aliases, Map<String, String> variables, EnvironmentKeys environment,
                          Map<String, String> systemProperties, Config file) {
        this.aliases = aliases;
        this.variables = variables;
        this.environment = environment;
        this.systemProperties = systemProperties;
        this.file = file;
    }

    /**
     * The configuration from {@code file} (optional), the given environment and the system properties, with the short
     * environment names of the built-in factories and of those on the class path.
     *
     * @throws ConfigurationException the file cannot be parsed, or two spellings of a key disagree in the environment
     */
    public static GatewayConfig load(Path file, Map<String, String> environment) {
        return load(file, environment, FactoryCatalog.builtIns());
    }

    /**
     * The configuration from {@code file} (optional), the given environment and the system properties, with the short
     * environment names the factories of {@code catalog} declare.
     *
     * @throws ConfigurationException the file cannot be parsed, or two spellings of a key disagree in the environment
     */
    public static GatewayConfig load(Path file, Map<String, String> environment, FactoryCatalog catalog) {
        Config fileConfig;
        if (Files.isRegularFile(file)) {
            try {
                fileConfig = Config.just(ConfigSources.file(file));
                fileConfig.get("gateway").asNodeList(); // parse now: a broken file is a configuration error
            } catch (ConfigException e) {
                throw new ConfigurationException("Cannot read " + file + ": " + e.getMessage(), e);
            }
            warnAboutUnknownKeys(file, fileConfig);
        } else {
            fileConfig = Config.empty();
        }
        Map<String, String> properties = new HashMap<>();
        Properties system = System.getProperties();
        for (String name : system.stringPropertyNames()) {
            if (name.startsWith("gateway.") || name.startsWith("server.")) {
                properties.put(name, system.getProperty(name));
            }
        }
        Map<String, String> variables = Map.copyOf(environment);
        return new GatewayConfig(Map.of(), variables, new EnvironmentKeys(variables), Map.copyOf(properties), fileConfig)
                .withShortNamesOf(catalog);
    }

    /**
     * This configuration with the short environment names the factories of {@code catalog} declare (call it again once
     * the plugins are loaded). The environment, and what was read of it, is shared.
     */
    public GatewayConfig withShortNamesOf(FactoryCatalog catalog) {
        Map<String, List<String>> shortNames = new HashMap<>(HOST_ENV_ALIASES);
        catalog.environmentAliases().forEach((name, keys) -> shortNames.merge(name, keys, GatewayConfig::concat));
        Map<String, String> values = new HashMap<>();
        shortNames.forEach((name, keys) -> {
            String value = variables.get(name);
            if (value != null && !value.isBlank()) {
                keys.forEach(key -> values.put(key, value));
            }
        });
        return new GatewayConfig(Map.copyOf(values), variables, environment, systemProperties, file);
    }

    /** The node at {@code path} ({@code gateway}, {@code gateway.source.redis}, …) as a plugin sees it. */
    public PluginConfig node(String path) {
        return new LayeredPluginConfig(path, this);
    }

    /**
     * The {@code GATEWAY_} environment variables that no key read so far matched: typos, or settings of a plugin that
     * the configuration does not use. Meaningful once the gateway is assembled (every factory has read its node).
     */
    public Set<String> unusedVariables() {
        return environment.unused();
    }

    /** Logs {@link #unusedVariables()} as a warning, if there are any. */
    public void warnAboutUnusedVariables() {
        Set<String> unused = unusedVariables();
        if (!unused.isEmpty()) {
            LOG.warning("Environment variables that set no configuration key (ignored; a typo, or a setting of a plugin "
                    + "this configuration does not use?): " + String.join(", ", unused));
        }
    }

    /** The value at the full {@code key}, from the first layer that sets it. */
    Optional<String> value(String key) {
        String alias = aliases.get(key);
        if (alias != null) {
            return Optional.of(alias);
        }
        Optional<String> fromEnvironment = environment.value(key);
        if (fromEnvironment.isPresent()) {
            return fromEnvironment;
        }
        String property = systemProperties.get(key);
        if (property != null) {
            return Optional.of(property);
        }
        Config node = file.get(key);
        return node.hasValue() && node.isLeaf() ? node.asString().asOptional() : Optional.empty();
    }

    /**
     * The list at the full {@code key} from the first layer that sets it — as one comma-separated value, or as items —
     * or empty if no layer does.
     */
    Optional<List<String>> list(String key) {
        String alias = aliases.get(key);
        if (alias != null) {
            return Optional.of(split(alias));
        }
        Optional<String> single = environment.value(key);
        if (single.isPresent()) {
            return Optional.of(split(single.get()));
        }
        List<String> items = environment.items(key);
        if (!items.isEmpty()) {
            return Optional.of(trimmed(items));
        }
        Optional<List<String>> fromProperties = fromMap(systemProperties::get, key);
        if (fromProperties.isPresent()) {
            return fromProperties;
        }
        Config node = file.get(key);
        if (!node.exists()) {
            return Optional.empty();
        }
        if (node.isLeaf()) {
            return Optional.of(node.asString().asOptional().map(GatewayConfig::split).orElse(List.of()));
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; node.get(Integer.toString(i)).hasValue(); i++) {
            values.add(node.get(Integer.toString(i)).asString().get());
        }
        return Optional.of(trimmed(values));
    }

    /** A list as one value ({@code key}) or as items ({@code key.0}, {@code key.1}, …) of a flat map. */
    private static Optional<List<String>> fromMap(Function<String, String> lookup, String key) {
        String single = lookup.apply(key);
        if (single != null) {
            return Optional.of(split(single));
        }
        List<String> items = new ArrayList<>();
        for (int i = 0; lookup.apply(key + "." + i) != null; i++) {
            items.add(lookup.apply(key + "." + i));
        }
        return items.isEmpty() ? Optional.empty() : Optional.of(trimmed(items));
    }

    private static List<String> split(String commaSeparated) {
        return trimmed(List.of(commaSeparated.split(",")));
    }

    /** Blank entries dropped, the others trimmed (as {@link PluginConfig#getList}). */
    private static List<String> trimmed(List<String> values) {
        return values.stream().filter(value -> !value.isBlank()).map(String::trim).toList();
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> both = new ArrayList<>(first);
        both.addAll(second);
        return both;
    }

    private static void warnAboutUnknownKeys(Path path, Config fileOnly) {
        Set<String> unknown = new TreeSet<>();
        fileOnly.get("gateway").asNodeList().orElse(List.of()).forEach(node -> {
            if (!GATEWAY_KEYS.contains(node.name())) {
                unknown.add("gateway." + node.name());
            }
        });
        if (!unknown.isEmpty()) {
            LOG.warning("Unknown configuration keys in " + path + " (ignored; typo?): " + String.join(", ", unknown));
        }
    }
}
