package io.ssegateway.host.config;

import io.helidon.config.Config;
import io.ssegateway.spi.PluginConfig;
import java.util.Optional;

/** A {@link PluginConfig} over a node of the gateway's Helidon configuration (YAML + environment). */
public final class HelidonPluginConfig implements PluginConfig {

    private final Config node;

    public HelidonPluginConfig(Config node) {
        this.node = node;
    }

    @Override
    public String path() {
        return node.key().toString();
    }

    @Override
    public Optional<String> get(String key) {
        Config value = node.get(key);
        return value.hasValue() && value.isLeaf() ? value.asString().asOptional() : Optional.empty();
    }

    @Override
    public PluginConfig node(String key) {
        return new HelidonPluginConfig(node.get(key));
    }
}
