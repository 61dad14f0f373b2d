package io.ssegateway.host.channel;

/** Why a subscriber's stream ended. */
public enum CloseReason {
    /** The client closed its connection (seen by reading it), or a write to it failed. */
    CLIENT_GONE,
    /** Its queue overflowed: the client reads slower than events arrive. */
    SLOW_CONSUMER,
    /** The replay could not be read; the stream ends so that the client reconnects and retries. */
    REPLAY_FAILED,
    /** The gateway is shutting down. */
    SHUTDOWN,
    /** The client's credential expired ({@code Identity.expiresAt}); it reconnects with a fresh one. */
    CREDENTIAL_EXPIRED;

    /** The metric label: {@code client_gone}, {@code slow_consumer}, … */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
