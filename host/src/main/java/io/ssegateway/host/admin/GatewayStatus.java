package io.ssegateway.host.admin;

import io.ssegateway.host.core.PluginStatus;
import java.time.Duration;
import java.util.List;

/** What the admin, health and metrics routes report about the gateway's parts. Implemented by the gateway. */
public interface GatewayStatus {

    String sourceName();

    /** {@code STARTING}, {@code RUNNING}, {@code FAILED} (restarting after a back-off) or {@code STOPPED}. */
    String sourceState();

    /** Running and reporting itself available. */
    boolean sourceReady();

    String storageName();

    boolean storageAvailable();

    List<PluginStatus> plugins();

    Duration uptime();

    boolean shuttingDown();

    /** Whether the authenticator (if any) can judge requests now ({@code Authenticator.isAvailable()}). */
    default boolean authenticatorAvailable() {
        return true;
    }
    /** {@code false} once the HTTP listener stopped accepting connections (the process should be restarted). */
    boolean listening();

    /** TCP connections the listener holds now. */
    int tcpConnections();

    /** {@code server.max-tcp-connections}. */
    int maxTcpConnections();
}
