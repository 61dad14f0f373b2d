package io.ssegateway.spi.source;

/**
 * What {@link MessageHandler#handle} did with a message.
 *
 * @param streamId         the stream id the message was stored and delivered under ({@code id:}); {@code null} when
 *                         it was not stored
 * @param localSubscribers how many connections of this instance got it queued
 * @param outcome          whether it was stored
 */
public record Delivery(String streamId, int localSubscribers, Outcome outcome) {

    /** Whether the message is in the storage. */
    public enum Outcome {
        /** Stored under {@link #streamId()} (by the gateway, or already by the bus that carried it). */
        STORED,
        /** Not meant to be stored: a broadcast, a live-only message, or a storage that keeps nothing. */
        NOT_STORED,
        /** The storage refused or failed: not stored; delivered without id to whoever was online. */
        FAILED,
        /**
         * The storage did not answer in time: it may have stored the message or not, and a replay may or may not
         * bring it. Delivered without id to whoever was online; retrying with the same business id is safe.
         */
        UNKNOWN
    }

    public boolean stored() {
        return outcome == Outcome.STORED;
    }
}
