package io.ssegateway.plugin.registry;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * One request and its response on a push connection, as the {@link HttpExchange} that {@link PushApi} handles.
 * Responses have a known length ({@code sendResponseHeaders(code, n > 0)}) or none ({@code -1}); a length of 0
 * (a streamed body, which the push API never sends) is written until close and then ends the connection.
 */
final class PushExchange extends HttpExchange {

    private final HttpHead head;
    private final RequestBody body;
    private final OutputStream socketOut;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final Headers responseHeaders = new Headers();
    private final Map<String, Object> attributes = new HashMap<>();
    private InputStream requestStream;
    private OutputStream responseStream;
    private int responseCode = -1;
    private boolean closeAfter;

    PushExchange(HttpHead head, RequestBody body, OutputStream socketOut, InetSocketAddress local,
                 InetSocketAddress remote, boolean closeAfter) {
        this.head = head;
        this.body = body;
        this.requestStream = body;
        this.socketOut = socketOut;
        this.local = local;
        this.remote = remote;
        this.closeAfter = closeAfter;
    }

    /** Whether a response was sent. */
    boolean responded() {
        return responseCode >= 0;
    }

    /** Whether the connection must close after this exchange (asked by the client, or the response needs it). */
    boolean closeAfter() {
        return closeAfter || !body.complete();
    }

    @Override
    public Headers getRequestHeaders() {
        return head.headers();
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return head.uri();
    }

    @Override
    public String getRequestMethod() {
        return head.method();
    }

    @Override
    public HttpContext getHttpContext() {
        return null;
    }

    @Override
    public void close() {
        try {
            if (responseStream != null) {
                responseStream.close();
            }
        } catch (IOException clientGone) {
            closeAfter = true;
        }
    }

    @Override
    public InputStream getRequestBody() {
        return requestStream;
    }

    @Override
    public OutputStream getResponseBody() {
        if (responseStream == null) {
            throw new IllegalStateException("sendResponseHeaders must be called first");
        }
        return responseStream;
    }

    @Override
    public void sendResponseHeaders(int code, long length) throws IOException {
        if (responseCode >= 0) {
            throw new IOException("headers already sent");
        }
        responseCode = code;
        boolean noBody = length < 0 || head.method().equals("HEAD") || code == 204 || code == 304;
        if (length == 0 && !noBody) {
            // a body of unknown length: delimited by closing the connection
            closeAfter = true;
        }
        if (!body.complete()) {
            // the client may still be sending a body nobody read: do not read it as the next request
            closeAfter = true;
        }
        StringBuilder out = new StringBuilder(256).append("HTTP/1.1 ").append(code).append(' ')
                .append(reason(code)).append("\r\n");
        responseHeaders.set("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
        if (length > 0 || (length < 0 && !head.method().equals("HEAD"))) {
            responseHeaders.set("Content-Length", Long.toString(Math.max(0, length)));
        }
        if (closeAfter) {
            responseHeaders.set("Connection", "close");
        }
        responseHeaders.forEach((name, values) -> values.forEach(value ->
                out.append(name).append(": ").append(value).append("\r\n")));
        out.append("\r\n");
        socketOut.write(out.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (noBody) {
            socketOut.flush();
            responseStream = OutputStream.nullOutputStream();
        } else {
            responseStream = new ResponseStream(socketOut, length > 0 ? length : Long.MAX_VALUE);
        }
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return remote;
    }

    @Override
    public int getResponseCode() {
        return responseCode;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return local;
    }

    @Override
    public String getProtocol() {
        return head.protocol();
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public void setStreams(InputStream in, OutputStream out) {
        if (in != null) {
            requestStream = in;
        }
        if (out != null) {
            responseStream = out;
        }
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }

    private static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    /**
     * The response body: at most the announced length; flushed on close, which leaves the connection open unless the
     * body came out short.
     */
    private final class ResponseStream extends FilterOutputStream {
        private long left;

        ResponseStream(OutputStream out, long length) {
            super(out);
            this.left = length;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (length > left) {
                throw new IOException("the response body is longer than its Content-Length");
            }
            out.write(bytes, offset, length);
            left -= length;
        }

        @Override
        public void close() throws IOException {
            if (left > 0 && left != Long.MAX_VALUE) {
                closeAfter = true;
            }
            out.flush();
        }
    }
}
