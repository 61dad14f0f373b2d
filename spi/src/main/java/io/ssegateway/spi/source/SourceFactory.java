package io.ssegateway.spi.source;

import io.ssegateway.spi.PluginConfig;

/**
 * Creates a {@link MessageSource} from configuration. Listed in
 * {@code META-INF/services/io.ssegateway.spi.source.SourceFactory}; selected by {@code gateway.source.type}.
 * Must have a public no-argument constructor.
 */
public interface SourceFactory {

    /** The type name users write in {@code gateway.source.type}, for example {@code redis}. */
    String name();

    /**
     * Builds the source from its node ({@code gateway.source.<name>}). Should validate the configuration and fail
     * here with a message naming the key, rather than later in {@code start}. Must not block on the network.
     */
    MessageSource create(PluginConfig config) throws Exception;
}
