package io.ssegateway.host.core;

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
        Duration keepAliveInterval,
        String adminToken,
        List<String> corsAllowedOrigins,
        int maxConnections,
        int maxConnectionsPerIp,
        int connectionQueue,
        long connectionQueueBytes,
        /** Validated CIDR blocks ({@code 10.0.0.0/8}, {@code ::1/128}). */
        List<String> trustedProxies,
        int maxMessageBytes,
        Duration retry,
        Duration retryJitter,
        Duration retryAfter,
        Duration shutdownGrace,
        Duration sourceStartCheck,
        int socketSendBuffer,
        int replayPageBytes,
        int maxTcpConnections,
        Duration requestHeaderTimeout,
        Duration requestBodyTimeout,
        Duration idleTimeout,
        String managementHost,
        int managementPort,
        Duration readinessGrace,
        boolean accessLog,
        int maxChannelsPerConnection,
        Duration sendBackpressureDelay,
        Duration sendBackpressureMaxWait,
        TlsFiles tls,
        boolean http2,
        int http2MaxConcurrentStreams) {

    /** Whether probes, metrics, the dashboard and the admin API are on their own listener. */
    public boolean hasManagementPort() {
        return managementPort >= 0;
    }

    /** Whether the public listener serves TLS ({@link #tls()} is set). */
    public boolean secure() {
        return tls != null;
    }
}
