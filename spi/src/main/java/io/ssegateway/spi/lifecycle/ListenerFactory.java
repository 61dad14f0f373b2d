package io.ssegateway.spi.lifecycle;

import io.ssegateway.spi.PluginConfig;

/**
 * Creates a {@link ConnectionListener} from configuration. Listed in
 * {@code META-INF/services/io.ssegateway.spi.lifecycle.ListenerFactory}; selected by listing its name in
 * {@code gateway.listeners}. Must have a public no-argument constructor.
 */
public interface ListenerFactory {

    /** The name users list in {@code gateway.listeners}. */
    String name();

    /** Builds the listener from its node ({@code gateway.listener.<name>}). */
    ConnectionListener create(PluginConfig config) throws Exception;
}
