package io.ssegateway.host.core;

import java.nio.charset.StandardCharsets;

/**
 * One encoded SSE frame. A published message is encoded once and the same bytes are queued to every subscriber.
 * Immutable (nobody writes into {@link #bytes}).
 * <p>
 * A frame for connections subscribed to several channels also carries {@link #envelope}: the same event with its
 * {@code data} wrapped as {@code {"channel":…,"id":…,"data":…}} and without the {@code id:} line, which such a
 * connection writes itself (its id says where every one of its channels stands). It is encoded only when a
 * multi-channel connection is subscribed to the channel, once for all of them.
 */
public final class Frame {

    /** A comment line: keeps idle connections open through proxies and detects dead clients. */
    public static final Frame KEEP_ALIVE = new Frame(null, ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));

    private final String id;
    private final byte[] bytes;
    /** {@link System#nanoTime()} when the event was encoded, for the publish-to-socket latency; 0 for other frames. */
    private final long encodedAtNanos;
    /** The channel of a channel event; {@code null} for broadcasts and the gateway's own frames. */
    private final String channel;
    /** {@code event:} and the enveloped {@code data:}, for multi-channel connections; {@code null} if not encoded. */
    private final byte[] envelope;

    private Frame(String id, byte[] bytes) {
        this(id, bytes, 0);
    }

    private Frame(String id, byte[] bytes, long encodedAtNanos) {
        this(id, bytes, encodedAtNanos, null, null);
    }

    private Frame(String id, byte[] bytes, long encodedAtNanos, String channel, byte[] envelope) {
        this.id = id;
        this.bytes = bytes;
        this.encodedAtNanos = encodedAtNanos;
        this.channel = channel;
        this.envelope = envelope;
    }

    /** When an event frame was encoded ({@link System#nanoTime()}), 0 for {@code retry:}, heartbeats and comments. */
    public long encodedAtNanos() {
        return encodedAtNanos;
    }

    /** The channel the event was published to, or {@code null} (a broadcast, a heartbeat, a comment). */
    public String channel() {
        return channel;
    }

    /** The frame for a multi-channel connection, without its {@code id:} line; {@code null} if there is none. */
    public byte[] envelope() {
        return envelope;
    }

    /**
     * An event published to {@code channel}: {@link #event} and, if {@code withEnvelope}, the {@link #envelope} for
     * multi-channel connections.
     */
    public static Frame channelEvent(String channel, String id, String eventType, String data, boolean withEnvelope) {
        Frame single = event(id, eventType, data);
        return new Frame(id, single.bytes, single.encodedAtNanos, channel,
                withEnvelope ? envelope(channel, id, eventType, data) : null);
    }

    /** A broadcast (no channel, no id), with the envelope multi-channel connections get ({@code "channel":null}). */
    public static Frame broadcast(String eventType, String data) {
        Frame single = event(null, eventType, data);
        return new Frame(null, single.bytes, single.encodedAtNanos, null, envelope(null, null, eventType, data));
    }

    /**
     * {@code event: <type>} and one {@code data:} line holding {@code {"channel":…,"id":…,"data":"<data>"}}: the data
     * as a JSON string, exactly what a single-channel connection gets as its {@code data}; no {@code id:} line.
     */
    private static byte[] envelope(String channel, String id, String eventType, String data) {
        StringBuilder json = new StringBuilder(data.length() + 64 + (channel == null ? 0 : channel.length()));
        json.append("{\"channel\":");
        quote(json, channel);
        if (id != null) {
            json.append(",\"id\":");
            quote(json, id);
        }
        json.append(",\"data\":");
        quote(json, data);
        json.append('}');
        return event(null, eventType, json.toString()).bytes;
    }

    private static void quote(StringBuilder json, String value) {
        JsonText.quote(json, value);
    }

    /** The stream id on the frame's {@code id:} line, or {@code null}. */
    public String id() {
        return id;
    }

    public byte[] bytes() {
        return bytes;
    }

    /**
     * Encodes an event: {@code id:} (if any), {@code event:}, one {@code data:} line per line of {@code data} (CR,
     * LF and CRLF all end a line, so the client sees the same lines), a blank line.
     * Event type and id must already be free of CR, LF and NUL.
     */
    public static Frame event(String id, String eventType, String data) {
        StringBuilder frame = new StringBuilder(data.length() + eventType.length() + 48);
        if (id != null) {
            frame.append("id: ").append(id).append('\n');
        }
        frame.append("event: ").append(eventType).append('\n');
        int lineStart = 0;
        int length = data.length();
        for (int i = 0; i < length; i++) {
            char c = data.charAt(i);
            if (c == '\r' || c == '\n') {
                frame.append("data: ").append(data, lineStart, i).append('\n');
                if (c == '\r' && i + 1 < length && data.charAt(i + 1) == '\n') {
                    i++;
                }
                lineStart = i + 1;
            }
        }
        frame.append("data: ").append(data, lineStart, length).append("\n\n");
        return new Frame(id, frame.toString().getBytes(StandardCharsets.UTF_8), System.nanoTime());
    }

    /** The {@code retry:} line sent once at the start of a stream. */
    public static Frame retry(long millis) {
        return new Frame(null, ("retry: " + millis + "\n\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** A heartbeat: event {@code heartbeat}, data {@code {"ts":<epoch ms>}}, no {@code id:} (Last-Event-ID stays). */
    public static Frame heartbeat(long epochMillis) {
        return new Frame(null, ("event: heartbeat\ndata: {\"ts\":" + epochMillis + "}\n\n").getBytes(StandardCharsets.US_ASCII));
    }
}
