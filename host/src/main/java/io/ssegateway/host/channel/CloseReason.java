package io.ssegateway.host.channel;

/** Why a subscriber's stream ended. */
public enum CloseReason {
    /** A write failed: the client went away. */
    CLIENT_GONE,
    /** Its queue overflowed: the client reads slower than events arrive. */
    SLOW_CONSUMER,
    /** The replay could not be read; the stream ends so that the client reconnects and retries. */
    REPLAY_FAILED,
    /** The gateway is shutting down. */
    SHUTDOWN
}
