package io.ssegateway.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * One Server-Sent Event as the gateway stores and sends it. Immutable and safe to share between threads.
 *
 * @param id        the stream id assigned by the {@link io.ssegateway.spi.storage.MessageStorage} (what goes on the
 *                  wire as {@code id:} and comes back as {@code Last-Event-ID}); {@code null} for an event that is not
 *                  stored (a broadcast, or any event under a storage that keeps nothing)
 * @param eventType the {@code event:} field; never {@code null}, never contains CR, LF or NUL
 * @param data      the payload, sent as one {@code data:} line per line; never {@code null}, may be empty
 * @param messageId the business id given by the publisher, used to make {@code append} idempotent; may be {@code null}
 * @param retry     an optional {@code retry:} value sent with this event; {@code null} for none
 */
public record SseEvent(String id, String eventType, String data, String messageId, Duration retry) {

    /** The event type used when a publisher gives none. */
    public static final String DEFAULT_EVENT_TYPE = "message";

    public SseEvent {
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(data, "data");
        if (retry != null && retry.isNegative()) {
            throw new IllegalArgumentException("retry must not be negative: " + retry);
        }
    }

    /** An event without stream id, business id or retry. */
    public static SseEvent of(String eventType, String data) {
        return new SseEvent(null, eventType, data, null, null);
    }

    /** A copy carrying the given stream id (what a storage returns from {@code append}). */
    public SseEvent withId(String streamId) {
        return new SseEvent(streamId, eventType, data, messageId, retry);
    }

    /** A copy carrying the given business id. */
    public SseEvent withMessageId(String businessId) {
        return new SseEvent(id, eventType, data, businessId, retry);
    }
}
