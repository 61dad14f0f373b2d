package io.ssegateway.plugin.registry;

import com.sun.net.httpserver.HttpHandler;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One TCP connection of the push port, served on its own virtual thread: HTTP/1.1 requests one after the other
 * (keep-alive) until the client closes, asks to close, or a phase overruns its deadline — a request head within the
 * header timeout (from the accept, or from a keep-alive request's first byte), a body within the body timeout, the
 * next request within the idle timeout. {@link PushServer}'s sweeper closes connections past their deadline.
 */
final class PushConnection implements Runnable {

    private static final Logger LOG = Logger.getLogger(PushConnection.class.getName());
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final long NONE = Long.MIN_VALUE;
    private static final AtomicLongFieldUpdater<PushConnection> DEADLINE =
            AtomicLongFieldUpdater.newUpdater(PushConnection.class, "deadline");

    /** The request timeouts, in nanoseconds. */
    record Timeouts(long headerNanos, long bodyNanos, long idleNanos) {
    }

    private final Socket socket;
    private final HttpHandler handler;
    private final Timeouts timeouts;
    private final Consumer<PushConnection> onEnd;
    /** When the current phase must be over (nanoTime), or {@link #NONE} while a handler runs. */
    private volatile long deadline;
    private volatile String phase = "header";

    /** @param onEnd told when the connection is over (on its thread) */
    PushConnection(Socket socket, HttpHandler handler, Timeouts timeouts, Consumer<PushConnection> onEnd) {
        this.socket = socket;
        this.handler = handler;
        this.timeouts = timeouts;
        this.onEnd = onEnd;
        this.deadline = System.nanoTime() + timeouts.headerNanos();
    }

    @Override
    public void run() {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
            InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
            boolean first = true;
            while (true) {
                int firstByte = in.read();
                if (firstByte < 0) {
                    return;
                }
                if (!first) {
                    enter("header", timeouts.headerNanos());
                }
                first = false;
                PushExchange exchange;
                try {
                    HttpHead head = HttpHead.read(firstByte, in);
                    RequestBody body = body(head, in);
                    if (!body.complete() && "100-continue".equalsIgnoreCase(head.headers().getFirst("Expect"))) {
                        out.write(CONTINUE);
                        out.flush();
                    }
                    exchange = new PushExchange(head, body, out, local, remote, head.wantsClose());
                } catch (HttpHead.BadRequest | RuntimeException e) {
                    respondAndClose(out, 400, "bad request: " + e.getMessage());
                    return;
                }
                handle(exchange);
                if (!exchange.responded()) {
                    respondAndClose(out, 500, "internal error");
                    return;
                }
                out.flush();
                if (exchange.closeAfter()) {
                    return;
                }
                enter("idle", timeouts.idleNanos());
            }
        } catch (IOException closed) {
            // the client went away, or the sweeper closed the connection: nothing to answer
        } finally {
            onEnd.accept(this);
        }
    }

    /** When this connection's current phase must be over, or {@link #NONE}. */
    long deadline() {
        return deadline;
    }

    /**
     * Claims the connection for closing if its deadline is still {@code expected}.
     *
     * @return the phase that timed out ({@code header}, {@code body}, {@code idle}), or {@code null} if it moved on
     */
    String claimTimedOut(long expected) {
        return expected != NONE && DEADLINE.compareAndSet(this, expected, NONE) ? phase : null;
    }

    /** Closes the socket: a blocked read or write fails and the connection's thread ends. */
    void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    private void enter(String next, long timeoutNanos) {
        deadline = NONE;
        phase = next;
        deadline = timeoutNanos < 0 ? NONE : System.nanoTime() + timeoutNanos;
    }

    private void handle(PushExchange exchange) {
        try {
            handler.handle(exchange);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Push API: " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                    + " failed", e);
        }
    }

    /** The request's body, timed by the body timeout until it is read to its end. */
    private RequestBody body(HttpHead head, InputStream in) throws HttpHead.BadRequest {
        String encoding = head.headers().getFirst("Transfer-Encoding");
        String length = head.headers().getFirst("Content-Length");
        RequestBody.Done read = () -> enter("handler", -1);
        if (encoding != null) {
            if (length != null || !encoding.trim().toLowerCase(Locale.ROOT).equals("chunked")) {
                throw new HttpHead.BadRequest("only Transfer-Encoding: chunked is supported, and not with a Content-Length");
            }
            enter("body", timeouts.bodyNanos());
            return RequestBody.chunked(in, read);
        }
        long bytes;
        try {
            bytes = length == null ? 0 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            throw new HttpHead.BadRequest("malformed Content-Length");
        }
        if (bytes < 0 || (length != null && head.headers().get("Content-Length").size() > 1)) {
            throw new HttpHead.BadRequest("malformed Content-Length");
        }
        enter("body", timeouts.bodyNanos());
        return RequestBody.fixed(in, bytes, read);
    }

    private static void respondAndClose(OutputStream out, int status, String message) throws IOException {
        byte[] json = ("{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + (status == 400 ? " Bad Request" : " Internal Server Error")
                + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(json);
        out.flush();
    }
}
