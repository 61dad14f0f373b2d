package io.ssegateway.spi.source;

import io.ssegateway.spi.SseEvent;
import java.util.Objects;

/**
 * A message a source (or {@code POST /api/send}) hands to the gateway: for one channel ({@link #toChannel}) or for
 * every connection ({@link #broadcast}). Immutable; the {@code with…} methods return copies. Validation (control
 * characters, sizes) happens in {@link MessageHandler#handle}, not here, so that a source can always build a message
 * from whatever it received and let the gateway reject it cleanly.
 */
public final class IncomingMessage {

    private final String eventType;
    private final String data;
    private final String channelId;
    private final String messageId;
    private final String streamId;
    private final boolean liveOnly;

    private IncomingMessage(String eventType, String data, String channelId, String messageId, String streamId,
                            boolean liveOnly) {
        this.eventType = eventType == null ? SseEvent.DEFAULT_EVENT_TYPE : eventType;
        this.data = Objects.requireNonNull(data, "data");
        this.channelId = channelId;
        this.messageId = messageId;
        this.streamId = streamId;
        this.liveOnly = liveOnly;
    }

    /**
     * A message for the subscribers of {@code channelId}, stored for replay. A {@code null} event type means
     * {@code message}.
     *
     * @throws NullPointerException {@code channelId} is {@code null}: use {@link #broadcast} for every connection
     */
    public static IncomingMessage toChannel(String channelId, String eventType, String data) {
        return new IncomingMessage(eventType, data, Objects.requireNonNull(channelId, "channelId"), null, null, false);
    }

    /** A message for every connection of this instance; never stored, sent without {@code id:}. */
    public static IncomingMessage broadcast(String eventType, String data) {
        return new IncomingMessage(eventType, data, null, null, null, true);
    }

    /** A copy carrying the publisher's business id, which makes storing it idempotent. */
    public IncomingMessage withMessageId(String businessId) {
        return new IncomingMessage(eventType, data, channelId, businessId, streamId, liveOnly);
    }

    /**
     * A copy carrying a stream id the storage has <em>already</em> assigned: the gateway then delivers it with that
     * id and does not append it again. For bus sources whose publisher stored the message before publishing it
     * (for example the Redis recipe: one script that appends to the stream and publishes the new id), so that
     * every instance sends the same id and the message is stored once.
     */
    public IncomingMessage withStreamId(String alreadyStoredId) {
        return new IncomingMessage(eventType, data, channelId, messageId, alreadyStoredId, liveOnly);
    }

    /**
     * A copy that is delivered to the subscribers online now and never stored (sent without {@code id:}, so it cannot
     * be replayed): for a message that cannot be stored once, e.g. one that reaches every instance of a bus without
     * an id they could agree on.
     */
    public IncomingMessage liveOnly() {
        return new IncomingMessage(eventType, data, channelId, messageId, streamId, true);
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

    /** The publisher's business id, or {@code null}. */
    public String messageId() {
        return messageId;
    }

    /** The stream id already assigned by the storage, or {@code null} (the usual case: the gateway appends). */
    public String streamId() {
        return streamId;
    }

    public boolean isBroadcast() {
        return channelId == null;
    }

    /** Delivered to whoever is online and never stored: broadcasts, and {@link #liveOnly()} copies. */
    public boolean isLiveOnly() {
        return liveOnly;
    }

    /** A description for logs; control characters are escaped, so an invalid message cannot forge log lines. */
    @Override
    public String toString() {
        return "IncomingMessage[" + (channelId == null ? "broadcast" : "channel=" + printable(channelId))
                + ", eventType=" + printable(eventType) + ", messageId=" + printable(messageId) + ", streamId=" + printable(streamId) + (liveOnly ? ", live only" : "")
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
