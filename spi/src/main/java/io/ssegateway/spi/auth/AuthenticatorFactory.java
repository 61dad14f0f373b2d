package io.ssegateway.spi.auth;

import io.ssegateway.spi.PluginConfig;

/**
 * Creates an {@link Authenticator} from configuration. Listed in
 * {@code META-INF/services/io.ssegateway.spi.auth.AuthenticatorFactory}; selected by {@code gateway.auth.type}.
 * Must have a public no-argument constructor.
 */
public interface AuthenticatorFactory {

    /** The type name users write in {@code gateway.auth.type}. */
    String name();

    /** Builds the authenticator from its node ({@code gateway.auth.<name>}). */
    Authenticator create(PluginConfig config) throws Exception;
}
