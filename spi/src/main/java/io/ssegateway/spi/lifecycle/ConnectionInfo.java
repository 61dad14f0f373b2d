package io.ssegateway.spi.lifecycle;

import java.time.Instant;

/**
 * One SSE connection, as listeners and sources see it. Immutable.
 *
 * @param channelId    the subscribed channel
 * @param connectionId unique among this instance's connections (pair it with {@code instanceId} across instances)
 * @param instanceId   the gateway instance holding the connection
 * @param connectedAt  when the subscription was accepted
 * @param clientIp     first {@code X-Forwarded-For} address, else the socket peer
 * @param userAgent    the {@code User-Agent} header, or an empty string
 */
public record ConnectionInfo(String channelId, String connectionId, String instanceId, Instant connectedAt,
                             String clientIp, String userAgent) {
}
