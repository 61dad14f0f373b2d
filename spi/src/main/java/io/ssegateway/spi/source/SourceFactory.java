package io.ssegateway.spi.source;

import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.PluginFactory;

/**
 * Creates a {@link MessageSource} from configuration. Listed in
 * {@code META-INF/services/io.ssegateway.spi.source.SourceFactory}; selected by {@code gateway.source.type}, built from
 * the node {@code gateway.source.<name>}. Must have a public no-argument constructor.
 */
public interface SourceFactory extends PluginFactory<MessageSource> {

    /**
     * Builds the source from its node ({@code gateway.source.<name>}). Should validate the configuration and fail
     * here with a message naming the key, rather than later in {@code start}. Must not block on the network.
     */
    @Override
    MessageSource create(PluginConfig config) throws Exception;
}
