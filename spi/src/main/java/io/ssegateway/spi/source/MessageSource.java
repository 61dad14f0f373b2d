package io.ssegateway.spi.source;

import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.lifecycle.ConnectionInfo;

/**
 * Where messages come from: a broker subscription, a push API, code. One source per gateway.
 */
public interface MessageSource {

    /**
     * Runs the source until {@code cancel} is cancelled. The gateway calls it once on a virtual thread of its own
     * (with the plugin's class loader as context class loader) and expects it to block: a {@code start} that returns
     * before cancellation, or throws, marks the source FAILED (and {@code /ready} 503) and the gateway calls it again
     * after a back-off. So a source may let a lost connection escape as an exception, or handle reconnection itself.
     * <p>
     * Every message goes to {@code handler}; see {@link MessageHandler#handle} for what its exceptions mean.
     * A source must never die on one bad message.
     *
     * @param handler     where to hand messages; thread-safe
     * @param connections a read-only view of this instance's connections
     * @param cancel      cancelled on shutdown; after it the source must return promptly (within
     *                    {@code gateway.shutdown-grace})
     */
    void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel) throws Exception;

    /** A short name for logs, {@code /api/stats} and {@code /ready}, for example {@code redis}. */
    String name();

    /**
     * Whether the source currently receives messages (connected to its broker). Called by {@code /ready} and the
     * stats from any thread; must be cheap and must not block. Default {@code true}.
     */
    default boolean isAvailable() {
        return true;
    }

    /**
     * A connection subscribed on this instance (after it is registered, before its replay). Called on the
     * connection's own thread; must not block for long. An exception is logged and counted and never breaks the
     * connection.
     */
    default void onConnect(ConnectionInfo connection) {
    }

    /** A connection ended, whatever the reason; called exactly once per {@link #onConnect}. Same rules as it. */
    default void onDisconnect(ConnectionInfo connection) {
    }
}
