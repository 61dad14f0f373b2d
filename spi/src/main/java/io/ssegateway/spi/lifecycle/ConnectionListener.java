package io.ssegateway.spi.lifecycle;

/**
 * Observes SSE connections (audit, presence, billing). For each connection {@code onConnect} and
 * {@code onDisconnect} are each called exactly once, whatever way the connection ends (client gone, slow consumer,
 * shutdown), both on the connection's own virtual thread.
 * <p>
 * Must be thread-safe (different connections call it concurrently) and quick: the client waits for
 * {@code onConnect}. An exception is logged and counted and never breaks the connection.
 */
public interface ConnectionListener {

    /** The connection is registered and about to receive its replay and live events. */
    default void onConnect(ConnectionInfo connection) {
    }

    /** The connection has ended and is unregistered. */
    default void onDisconnect(ConnectionInfo connection) {
    }
}
