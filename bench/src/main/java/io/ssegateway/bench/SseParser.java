package io.ssegateway.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental parser of a {@code text/event-stream} body, following the WHATWG rules: lines end with CR, LF or CRLF
 * (also when the CR and the LF arrive in different reads), {@code :} starts a comment, a field name is followed by
 * an optional single space, {@code data} lines are joined with LF, {@code id} without NUL sets the last event id, a
 * blank line dispatches the event (none if no {@code data} line was seen). Works on bytes and reuses its buffers, so
 * that one thread can parse tens of thousands of streams without garbage per event.
 */
final class SseParser {

    /** Receives dispatched events; {@link SseParser#data()} and friends are valid during the call only. */
    interface Listener {
        void onEvent(SseParser event);
    }

    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "id".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RETRY = "retry".getBytes(StandardCharsets.US_ASCII);

    private final Listener listener;
    /** A line split across feeds; its bytes so far. */
    private byte[] line = new byte[0];
    private int lineLength;
    private boolean skipLf;
    private byte[] data = new byte[0];
    private int dataLength;
    private boolean hasData;
    private byte[] type = new byte[0];
    private int typeLength;
    private byte[] lastId = new byte[0];
    private int lastIdLength = -1;
    private long retry = -1;
    private long comments;

    SseParser(Listener listener) {
        this.listener = listener;
    }

    /** Parses the next bytes of the stream. */
    void feed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            if (skipLf) {
                skipLf = false;
                if (bytes[i] == '\n') {
                    i++;
                    continue;
                }
            }
            int lineEnd = i;
            while (lineEnd < end && bytes[lineEnd] != '\n' && bytes[lineEnd] != '\r') {
                lineEnd++;
            }
            if (lineEnd == end) {
                append(bytes, i, end - i);
                return;
            }
            if (lineLength == 0) {
                line(bytes, i, lineEnd - i);
            } else {
                append(bytes, i, lineEnd - i);
                line(line, 0, lineLength);
                lineLength = 0;
            }
            skipLf = bytes[lineEnd] == '\r';
            i = lineEnd + 1;
        }
    }

    /** Forgets a half-received event (the connection was closed); the last event id stays, as in a browser. */
    void reset() {
        lineLength = 0;
        skipLf = false;
        dataLength = 0;
        hasData = false;
        typeLength = 0;
    }

    byte[] data() {
        return data;
    }

    int dataLength() {
        return dataLength;
    }

    /** Whether the event's type is {@code name} ({@code message} when the event had no {@code event} line). */
    boolean typeIs(byte[] name) {
        if (typeLength == 0) {
            return Arrays.equals(name, MESSAGE);
        }
        return Arrays.equals(type, 0, typeLength, name, 0, name.length);
    }

    String eventType() {
        return typeLength == 0 ? "message" : new String(type, 0, typeLength, StandardCharsets.UTF_8);
    }

    String dataText() {
        return new String(data, 0, dataLength, StandardCharsets.UTF_8);
    }

    /** The last event id of the stream (what a reconnect sends as {@code Last-Event-ID}), or {@code null}. */
    String lastEventId() {
        return lastIdLength < 0 ? null : new String(lastId, 0, lastIdLength, StandardCharsets.UTF_8);
    }

    /** The last {@code retry:} value in milliseconds, or -1. */
    long retry() {
        return retry;
    }

    /** Comment lines seen ({@code : keep-alive}). */
    long comments() {
        return comments;
    }

    private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.US_ASCII);

    private void line(byte[] bytes, int offset, int length) {
        if (length == 0) {
            dispatch();
            return;
        }
        if (bytes[offset] == ':') {
            comments++;
            return;
        }
        int colon = offset;
        int end = offset + length;
        while (colon < end && bytes[colon] != ':') {
            colon++;
        }
        int nameLength = colon - offset;
        int valueStart = colon < end ? colon + 1 : end;
        if (valueStart < end && bytes[valueStart] == ' ') {
            valueStart++;
        }
        int valueLength = end - valueStart;
        if (is(bytes, offset, nameLength, DATA)) {
            data = ensure(data, dataLength + valueLength + 1);
            System.arraycopy(bytes, valueStart, data, dataLength, valueLength);
            dataLength += valueLength;
            data[dataLength++] = '\n';
            hasData = true;
        } else if (is(bytes, offset, nameLength, EVENT)) {
            type = ensure(type, valueLength);
            System.arraycopy(bytes, valueStart, type, 0, valueLength);
            typeLength = valueLength;
        } else if (is(bytes, offset, nameLength, ID)) {
            for (int i = valueStart; i < end; i++) {
                if (bytes[i] == 0) {
                    return;
                }
            }
            lastId = ensure(lastId, valueLength);
            System.arraycopy(bytes, valueStart, lastId, 0, valueLength);
            lastIdLength = valueLength;
        } else if (is(bytes, offset, nameLength, RETRY)) {
            long value = 0;
            for (int i = valueStart; i < end; i++) {
                if (bytes[i] < '0' || bytes[i] > '9') {
                    return;
                }
                value = value * 10 + bytes[i] - '0';
            }
            if (valueLength > 0) {
                retry = value;
            }
        }
    }

    private void dispatch() {
        if (!hasData) {
            typeLength = 0;
            return;
        }
        dataLength--; // the LF after the last data line
        listener.onEvent(this);
        dataLength = 0;
        hasData = false;
        typeLength = 0;
    }

    private void append(byte[] bytes, int offset, int length) {
        line = ensure(line, lineLength + length);
        System.arraycopy(bytes, offset, line, lineLength, length);
        lineLength += length;
    }

    private static boolean is(byte[] bytes, int offset, int length, byte[] name) {
        return length == name.length && Arrays.equals(bytes, offset, offset + length, name, 0, length);
    }

    private static byte[] ensure(byte[] buffer, int size) {
        return buffer.length >= size ? buffer : Arrays.copyOf(buffer, Math.max(size, Math.max(64, buffer.length * 2)));
    }
}
