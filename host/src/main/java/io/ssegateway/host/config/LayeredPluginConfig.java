package io.ssegateway.host.config;

import io.ssegateway.spi.PluginConfig;
import java.util.List;
import java.util.Optional;

/** A node of the {@link GatewayConfig}: every read goes through its layers (short names, environment, …, file). */
final class LayeredPluginConfig implements PluginConfig {

    private final String path;
    private final GatewayConfig config;

    LayeredPluginConfig(String path, GatewayConfig config) {
        this.path = path;
        this.config = config;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Optional<String> get(String key) {
        return config.value(keyOf(key));
    }

    @Override
    public PluginConfig node(String key) {
        return new LayeredPluginConfig(keyOf(key), config);
    }

    /** The list from the first layer that sets it: an environment variable replaces the file's list as a whole. */
    @Override
    public List<String> getList(String key) {
        return config.list(keyOf(key)).orElse(List.of());
    }
}
