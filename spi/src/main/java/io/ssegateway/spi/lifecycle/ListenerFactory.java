package io.ssegateway.spi.lifecycle;

import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.PluginFactory;

/**
 * Creates a {@link ConnectionListener} from configuration. Listed in
 * {@code META-INF/services/io.ssegateway.spi.lifecycle.ListenerFactory}; selected by listing its name in
 * {@code gateway.listeners}, built from the node {@code gateway.listener.<name>}. Must have a public no-argument
 * constructor.
 */
public interface ListenerFactory extends PluginFactory<ConnectionListener> {

    @Override
    ConnectionListener create(PluginConfig config) throws Exception;
}
