package io.ssegateway.spi.auth;

import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.PluginFactory;

/**
 * Creates an {@link Authenticator} from configuration. Listed in
 * {@code META-INF/services/io.ssegateway.spi.auth.AuthenticatorFactory}; selected by {@code gateway.auth.type}, built
 * from the node {@code gateway.auth.<name>}. Must have a public no-argument constructor.
 */
public interface AuthenticatorFactory extends PluginFactory<Authenticator> {

    @Override
    Authenticator create(PluginConfig config) throws Exception;
}
