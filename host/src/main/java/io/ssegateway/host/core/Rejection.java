package io.ssegateway.host.core;

import java.util.Locale;

/**
 * Every reason the gateway refuses a subscription or a message, one label each. Their counters
 * ({@code sse_connections_rejected_total}, {@code sse_messages_rejected_total}) are registered at zero when the gateway
 * is built, so that a dashboard or an alert sees each series before its first event.
 */
public enum Rejection {
    /** The instance holds {@code gateway.max-connections} streams. */
    MAX_CONNECTIONS(Kind.SUBSCRIPTION),
    /** The client address holds {@code gateway.max-connections-per-ip} streams. */
    PER_IP(Kind.SUBSCRIPTION),
    /** The gateway is shutting down. */
    SHUTDOWN(Kind.SUBSCRIPTION),
    /** A message's channel id breaks the channel-id rule. */
    INVALID_CHANNEL(Kind.MESSAGE),
    /** A message without an event type. */
    INVALID_EVENT_TYPE(Kind.MESSAGE),
    /** A message's data exceeds {@code gateway.max-message-bytes}. */
    TOO_LARGE(Kind.MESSAGE),
    /** CR, LF or NUL in an event type or id. */
    CONTROL_CHARACTERS(Kind.MESSAGE),
    /** Half of a surrogate pair in an event type or id. */
    INVALID_UNICODE(Kind.MESSAGE),
    /** An event type or id longer than the gateway allows. */
    TOO_LONG(Kind.MESSAGE);

    /** What was refused. */
    public enum Kind { SUBSCRIPTION, MESSAGE }

    private final Kind kind;

    Rejection(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** The metric label: {@code max_connections}, {@code too_large}, … */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
