package io.ssegateway.spi.source;

import io.ssegateway.spi.SseEvent;
import java.util.Objects;

/**
 * A message a source (or {@code POST /api/send}) hands to the gateway. Immutable; the {@code with…} methods
 * return copies. Validation (control characters, sizes) happens in {@link MessageHandler#handle}, not here, so
 * that a source can always build a message from whatever it received and let the gateway reject it cleanly.
 */
public final class IncomingMessage {

    private final String eventType;
    private final String data;
    private final String channelId;
    private final String id;
    private final String streamId;

    private IncomingMessage(String eventType, String data, String channelId, String id, String streamId) {
        this.eventType = eventType == null ? SseEvent.DEFAULT_EVENT_TYPE : eventType;
        this.data = Objects.requireNonNull(data, "data");
        this.channelId = channelId;
        this.id = id;
        this.streamId = streamId;
    }

    /** A message for all channels until {@link #withChannel} targets one. {@code null} event type means {@code message}. */
    public static IncomingMessage of(String eventType, String data) {
        return new IncomingMessage(eventType, data, null, null, null);
    }

    /** A message for every connection of this instance; never stored, sent without {@code id:}. */
    public static IncomingMessage broadcast(String eventType, String data) {
        return of(eventType, data);
    }

    /** A copy targeting {@code channelId} ({@code null} makes it a broadcast again). */
    public IncomingMessage withChannel(String channelId) {
        return new IncomingMessage(eventType, data, channelId, id, streamId);
    }

    /** A copy carrying the publisher's business id, which makes storing it idempotent. */
    public IncomingMessage withId(String businessId) {
        return new IncomingMessage(eventType, data, channelId, businessId, streamId);
    }

    /**
     * A copy carrying a stream id the storage has <em>already</em> assigned: the gateway then delivers it with that
     * id and does not append it again. For bus sources whose publisher stored the message before publishing it
     * (for example the Redis recipe: one script that appends to the stream and publishes the new id), so that
     * every instance sends the same id and the message is stored once.
     */
    public IncomingMessage withStreamId(String alreadyStoredId) {
        return new IncomingMessage(eventType, data, channelId, id, alreadyStoredId);
    }

    public String eventType() {
        return eventType;
    }

    public String data() {
        return data;
    }

    /** The target channel, or {@code null} for a broadcast. */
    public String channelId() {
        return channelId;
    }

    /** The business id, or {@code null}. */
    public String id() {
        return id;
    }

    /** The stream id already assigned by the storage, or {@code null} (the usual case: the gateway appends). */
    public String streamId() {
        return streamId;
    }

    public boolean isBroadcast() {
        return channelId == null;
    }

    /** A description for logs; control characters are escaped, so an invalid message cannot forge log lines. */
    @Override
    public String toString() {
        return "IncomingMessage[" + (channelId == null ? "broadcast" : "channel=" + printable(channelId))
                + ", eventType=" + printable(eventType) + ", id=" + printable(id) + ", streamId=" + printable(streamId)
                + ", " + data.length() + " chars]";
    }

    private static String printable(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), 300));
        for (int i = 0; i < text.length() && out.length() < 256; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return text.length() > 256 ? out + "…" : out.toString();
    }
}
