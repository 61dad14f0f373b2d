package io.ssegateway.spi;

import java.util.Objects;

/**
 * One Server-Sent Event as the gateway stores and sends it. Immutable and safe to share between threads.
 *
 * @param streamId  the id the {@link io.ssegateway.spi.storage.MessageStorage} assigned when it stored the event
 *                  (what goes on the wire as {@code id:} and comes back as {@code Last-Event-ID}); {@code null} for
 *                  an event that is not stored (a broadcast, or any event under a storage that keeps nothing)
 * @param eventType the {@code event:} field; never {@code null}, never contains CR, LF or NUL
 * @param data      the payload, sent as one {@code data:} line per line; never {@code null}, may be empty
 * @param messageId the business id the publisher gave, which makes {@code append} idempotent; may be {@code null}
 */
public record SseEvent(String streamId, String eventType, String data, String messageId) {

    /** The event type used when a publisher gives none. */
    public static final String DEFAULT_EVENT_TYPE = "message";

    public SseEvent {
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(data, "data");
    }

    /** An event without stream id or business id. */
    public static SseEvent of(String eventType, String data) {
        return new SseEvent(null, eventType, data, null);
    }

    /** A copy carrying the given stream id (what a storage returns from {@code append}). */
    public SseEvent withStreamId(String streamId) {
        return new SseEvent(streamId, eventType, data, messageId);
    }

    /** A copy carrying the given business id. */
    public SseEvent withMessageId(String businessId) {
        return new SseEvent(streamId, eventType, data, businessId);
    }

    /**
     * About how many bytes this event takes in memory and on the wire (its strings' UTF-16 lengths, doubled where
     * that is cheaper than encoding): what byte bounds on queues, replay pages and storages count.
     */
    public long sizeEstimate() {
        return 2L * (data.length() + eventType.length() + length(streamId) + length(messageId)) + 48;
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }
}
