package io.ssegateway.host.channel;

/** A message the gateway refuses; {@link #reason()} is the metric label, {@link #tooLarge()} maps to HTTP 413. */
public final class InvalidMessageException extends IllegalArgumentException {

    private final String reason;

    InvalidMessageException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    public boolean tooLarge() {
        return "too_large".equals(reason);
    }
}
