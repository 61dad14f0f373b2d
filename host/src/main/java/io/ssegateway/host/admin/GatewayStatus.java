package io.ssegateway.host.admin;

import java.time.Duration;
import java.util.List;

/** What the admin, health and metrics routes report about the gateway's parts. Implemented by the gateway. */
public interface GatewayStatus {

    /** A loaded plugin, as {@code /api/stats} lists it. */
    record PluginState(String id, String version, String state) {
    }

    String sourceName();

    /** {@code STARTING}, {@code RUNNING}, {@code FAILED} (restarting after a back-off) or {@code STOPPED}. */
    String sourceState();

    /** Running and reporting itself available. */
    boolean sourceReady();

    String storageName();

    boolean storageAvailable();

    List<PluginState> plugins();

    Duration uptime();

    boolean shuttingDown();
}
