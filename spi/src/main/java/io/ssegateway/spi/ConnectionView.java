package io.ssegateway.spi;

import java.util.Set;

/**
 * A read-only view of the SSE connections held by this gateway instance. Thread-safe; the numbers are a
 * consistent-enough snapshot for decisions such as "is anyone listening here", not a lock.
 */
public interface ConnectionView {

    /** Open SSE connections on this instance. */
    int connectionCount();

    /** Open SSE connections subscribed to {@code channelId} on this instance (0 for an unknown channel). */
    int channelConnectionCount(String channelId);

    /** The channels with at least one connection on this instance; an immutable snapshot. */
    Set<String> channels();

    /** This instance's id ({@code gateway.instance-id}, a random UUID by default). */
    String instanceId();
}
