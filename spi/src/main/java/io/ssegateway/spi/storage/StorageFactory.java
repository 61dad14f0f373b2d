package io.ssegateway.spi.storage;

import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.PluginFactory;

/**
 * Creates a {@link MessageStorage} from configuration. Listed in
 * {@code META-INF/services/io.ssegateway.spi.storage.StorageFactory}; selected by {@code gateway.storage.type}, built
 * from the node {@code gateway.storage.<name>}. Must have a public no-argument constructor.
 */
public interface StorageFactory extends PluginFactory<MessageStorage> {

    /**
     * Builds the storage from its node ({@code gateway.storage.<name>}). Validate the configuration here and fail
     * with a message naming the key. May connect, but an unreachable backend should make the storage report
     * {@link MessageStorage#isAvailable() unavailable} and recover, not fail start-up.
     */
    @Override
    MessageStorage create(PluginConfig config) throws Exception;
}
