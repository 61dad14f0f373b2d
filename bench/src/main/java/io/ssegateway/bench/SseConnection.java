package io.ssegateway.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * One non-blocking HTTP/1.1 SSE connection: sends the request, reads the response head, then decodes the body
 * (chunked or identity) into its subscription's parser. Runs on its {@link ConnectionLoop}'s thread only.
 */
final class SseConnection {

    private static final int MAX_HEAD = 16 * 1024;

    final Subscription subscription;
    final SocketChannel channel;
    SelectionKey key;
    private ByteBuffer request;
    private byte[] head = new byte[512];
    private int headLength;
    /** Null until the head arrived; then null for an identity body. */
    private ChunkedDecoder chunked;
    private boolean streaming;
    /** Why the open failed (status line or exception), or null. */
    String failure;

    /** @param pathTemplate the request's path and query with {@code {channel}} (see {@link Endpoints#subscribePath}) */
    SseConnection(Subscription subscription, SocketChannel channel, String hostHeader, String pathTemplate,
                  String lastEventId) {
        this.subscription = subscription;
        this.channel = channel;
        StringBuilder text = new StringBuilder(256).append("GET ")
                .append(Endpoints.subscribePath(pathTemplate, subscription.channel,
                        lastEventId == null ? subscription.initialLastEventId : null))
                .append(" HTTP/1.1\r\nHost: ").append(hostHeader)
                .append("\r\nAccept: text/event-stream\r\nUser-Agent: sse-gateway-bench\r\n");
        if (lastEventId != null) {
            text.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
        }
        request = ByteBuffer.wrap(text.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
    }

    boolean streaming() {
        return streaming;
    }

    /** Writes (the rest of) the request. @return whether it is all written */
    boolean writeRequest() throws IOException {
        channel.write(request);
        if (request.hasRemaining()) {
            return false;
        }
        request = null;
        return true;
    }

    /**
     * Consumes bytes read from the socket.
     *
     * @return {@code true} when this call completed the response head with a 200 (the subscriber is registered)
     */
    boolean consume(byte[] bytes, int offset, int length) {
        if (streaming) {
            body(bytes, offset, length);
            return false;
        }
        head = headLength + length > head.length ? Arrays.copyOf(head, Math.max(headLength + length, head.length * 2)) : head;
        System.arraycopy(bytes, offset, head, headLength, length);
        int searchFrom = Math.max(0, headLength - 3);
        headLength += length;
        int end = endOfHead(searchFrom);
        if (end < 0) {
            if (headLength > MAX_HEAD) {
                throw new IllegalStateException("response head larger than " + MAX_HEAD + " bytes");
            }
            return false;
        }
        String text = new String(head, 0, end, StandardCharsets.ISO_8859_1);
        int firstSpace = text.indexOf(' ');
        int status = firstSpace < 0 ? -1 : Integer.parseInt(text.substring(firstSpace + 1, firstSpace + 4));
        if (status != 200) {
            failure = text.lines().findFirst().orElse("?");
            return false;
        }
        boolean isChunked = text.toLowerCase(Locale.ROOT).contains("\ntransfer-encoding: chunked");
        chunked = isChunked ? new ChunkedDecoder(subscription.parser::feed) : null;
        streaming = true;
        byte[] rest = Arrays.copyOfRange(head, end, headLength);
        head = null;
        body(rest, 0, rest.length);
        return true;
    }

    private void body(byte[] bytes, int offset, int length) {
        if (chunked != null) {
            chunked.feed(bytes, offset, length);
        } else {
            subscription.parser.feed(bytes, offset, length);
        }
    }

    /** Index after the blank line ending the head, or -1. */
    private int endOfHead(int from) {
        for (int i = from; i + 3 < headLength; i++) {
            if (head[i] == '\r' && head[i + 1] == '\n' && head[i + 2] == '\r' && head[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
