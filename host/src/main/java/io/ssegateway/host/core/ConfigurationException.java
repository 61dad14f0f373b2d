package io.ssegateway.host.core;

/** The configuration cannot start a gateway; the message says which key or plugin and what to do. */
public final class ConfigurationException extends RuntimeException {

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
