package io.ssegateway.spi;

import java.util.Map;

/**
 * What every plugin factory has: a type name users pick it by, a way to build the plugin from its configuration node,
 * and optional environment variable names for keys of that node. Implementations are listed in
 * {@code META-INF/services/} under the factory kind's interface ({@code io.ssegateway.spi.source.SourceFactory}, …)
 * and must have a public no-argument constructor.
 *
 * @param <T> what the factory builds
 */
public interface PluginFactory<T> {

    /** The type name users write in the configuration, for example {@code redis}. */
    String name();

    /**
     * Builds the plugin from its node (for example {@code gateway.source.<name>}). Validate the configuration here and
     * fail with an {@link IllegalArgumentException} naming the key ({@link PluginConfig#keyOf}); do not block on the
     * network.
     */
    T create(PluginConfig config) throws Exception;

    /**
     * Short environment variable names that set keys of this plugin's node, for names its users already know (a
     * broker's {@code REDIS_URL}): variable name → key relative to the node, for example
     * {@code Map.of("REDIS_URL", "url")}. Such a variable wins over the YAML file and the {@code GATEWAY_…} form, and is
     * applied only to this plugin's node. Every key can be set without one, as
     * {@code GATEWAY_<KIND>_<NAME>_<KEY>}. Default: none.
     */
    default Map<String, String> environmentAliases() {
        return Map.of();
    }
}
