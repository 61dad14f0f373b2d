package io.ssegateway.spi.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One SSE connection, as listeners and sources see it. Immutable.
 *
 * @param channelIds   the subscribed channels, at least one, without repeats
 * @param connectionId unique among this instance's connections (pair it with {@code instanceId} across instances)
 * @param instanceId   the gateway instance holding the connection
 * @param connectedAt  when the subscription was accepted
 * @param clientIp     the client's address (the socket peer's, or behind a trusted proxy the one it reports)
 * @param userAgent    the {@code User-Agent} header, or an empty string
 * @param subject      who the client is, as the authenticator said ({@link io.ssegateway.spi.auth.Identity#subject()});
 *                     {@code null} for an anonymous client
 */
public record ConnectionInfo(List<String> channelIds, String connectionId, String instanceId, Instant connectedAt,
                             String clientIp, String userAgent, String subject) {

    public ConnectionInfo {
        channelIds = List.copyOf(Objects.requireNonNull(channelIds, "channelIds"));
        if (channelIds.isEmpty()) {
            throw new IllegalArgumentException("a connection subscribes to at least one channel");
        }
    }

    /** The first subscribed channel: the channel of a single-channel connection. */
    public String channelId() {
        return channelIds.get(0);
    }
}
