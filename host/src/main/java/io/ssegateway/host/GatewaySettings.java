package io.ssegateway.host;

import java.time.Duration;
import java.util.List;

/**
 * Every tunable of a gateway, validated by {@link Gateway.Builder}. See the README's configuration table for what
 * each one means and its default.
 */
public record GatewaySettings(
        String host,
        int port,
        String instanceId,
        boolean dashboard,
        Duration heartbeatInterval,
        Duration cleanupInterval,
        String adminToken,
        List<String> corsAllowedOrigins,
        int maxConnections,
        int maxConnectionsPerIp,
        int connectionQueue,
        int maxMessageBytes,
        Duration retry,
        Duration retryJitter,
        Duration retryAfter,
        Duration shutdownGrace,
        Duration sourceStartCheck,
        int socketSendBuffer) {
}
