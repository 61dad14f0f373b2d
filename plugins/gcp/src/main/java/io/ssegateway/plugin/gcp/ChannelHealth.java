package io.ssegateway.plugin.gcp;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.util.logging.Logger;

/**
 * Follows the connectivity of the gRPC channel to Pub/Sub: connected once it was READY, disconnected when it fails
 * to connect ({@code TRANSIENT_FAILURE}) or is shut down. The passing states in between (IDLE, CONNECTING) keep the
 * last verdict, so that {@code /ready} does not flap while gRPC retries a connection.
 */
final class ChannelHealth {

    private static final Logger LOG = Logger.getLogger(ChannelHealth.class.getName());

    private final ManagedChannel channel;
    private final String target;
    private volatile boolean connected;
    // only touched by observe(), whose calls follow one another
    private boolean wasConnected;
    private boolean failureReported;

    private ChannelHealth(ManagedChannel channel, String target) {
        this.channel = channel;
        this.target = target;
    }

    static ChannelHealth watch(ManagedChannel channel, String target) {
        ChannelHealth health = new ChannelHealth(channel, target);
        health.observe(channel.getState(false));
        return health;
    }

    boolean connected() {
        return connected;
    }

    private void observe(ConnectivityState state) {
        switch (state) {
            case READY -> {
                if (!connected) {
                    String verb = wasConnected ? "Reconnected" : "Connected";
                    LOG.info(() -> verb + " to Pub/Sub at " + target);
                }
                connected = true;
                wasConnected = true;
                failureReported = false;
            }
            case TRANSIENT_FAILURE -> {
                if (!failureReported) {
                    LOG.warning("Cannot reach Pub/Sub at " + target + "; the client keeps retrying with backoff");
                    failureReported = true;
                }
                connected = false;
            }
            case SHUTDOWN -> connected = false;
            default -> {
                // IDLE and CONNECTING pass: keep the last verdict
            }
        }
        if (state != ConnectivityState.SHUTDOWN) {
            channel.notifyWhenStateChanged(state, () -> observe(channel.getState(false)));
        }
    }
}
