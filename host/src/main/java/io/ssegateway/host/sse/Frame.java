package io.ssegateway.host.sse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One encoded SSE frame. A published message is encoded once and the same bytes are queued to every subscriber.
 * Immutable (nobody writes into {@link #bytes}).
 */
public final class Frame {

    /** A comment line: keeps idle connections open through proxies and detects dead clients. */
    public static final Frame KEEP_ALIVE = new Frame(null, ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));

    private final String id;
    private final byte[] bytes;

    private Frame(String id, byte[] bytes) {
        this.id = id;
        this.bytes = bytes;
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
     * LF and CRLF all end a line, so the client sees the same lines), an optional {@code retry:}, a blank line.
     * Event type and id must already be free of CR, LF and NUL.
     */
    public static Frame event(String id, String eventType, String data, Duration retry) {
        StringBuilder frame = new StringBuilder(data.length() + eventType.length() + 48);
        if (id != null) {
            frame.append("id: ").append(id).append('\n');
        }
        frame.append("event: ").append(eventType).append('\n');
        if (retry != null) {
            frame.append("retry: ").append(retry.toMillis()).append('\n');
        }
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
        return new Frame(id, frame.toString().getBytes(StandardCharsets.UTF_8));
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
