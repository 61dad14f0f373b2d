package io.ssegateway.host.http;

import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.core.GatewayMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every open TCP connection of the listener, by the virtual thread that serves it, with the phase it is in; one thread
 * closes those whose phase took too long. Helidon has no read timeout: without this, a client that sends half a
 * request line, dribbles its headers or its body, or leaves a keep-alive connection idle, holds a file descriptor
 * (and a permit of {@code server.max-tcp-connections}) for as long as it likes.
 * <p>
 * The phases move on Helidon's own hooks ({@link TrackingConnectionSelector}, {@link RequestPhaseListener}) and on
 * {@link OpenConnection#streaming()}; the sweep costs one pass over the connections per tick, no timer per connection.
 * <p>
 * An HTTP/2 connection also has the event streams it carries ({@link Http2StreamLink}s, which run on threads of their
 * own): when the connection ends they are closed, since Helidon 4.5.0 does not tell them.
 */
public final class OpenConnections {

    private static final Logger LOG = Logger.getLogger(OpenConnections.class.getName());

    private final Map<Thread, OpenConnection> byThread = new ConcurrentHashMap<>();
    /** The event streams of each open HTTP/2 connection (only HTTP/2 connections have an entry). */
    private final Map<ConnectionContext, Set<Http2StreamLink>> http2 = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final GatewayMetrics metrics;
    private final int maxTcpConnections;
    private final long headerNanos;
    private final long bodyNanos;
    private final long idleNanos;
    private final Duration tick;
    private volatile boolean running = true;
    private Thread sweeper;

    public OpenConnections(GatewayMetrics metrics, int maxTcpConnections, Duration requestHeaderTimeout,
                           Duration requestBodyTimeout, Duration idleTimeout) {
        this.metrics = metrics;
        this.maxTcpConnections = maxTcpConnections;
        this.headerNanos = requestHeaderTimeout.toNanos();
        this.bodyNanos = requestBodyTimeout.toNanos();
        this.idleNanos = idleTimeout.toNanos();
        this.tick = tick(requestHeaderTimeout, requestBodyTimeout, idleTimeout);
        for (OpenConnection.Phase phase : OpenConnection.Phase.values()) {
            if (phase.timeout != null) {
                metrics.declareTimeoutPhase(phase.timeout);
            }
        }
    }

    /** A tenth of the shortest timeout, between 50 ms and 1 s: a connection is closed at most that late. */
    static Duration tick(Duration header, Duration body, Duration idle) {
        Duration shortest = header;
        for (Duration timeout : new Duration[] {body, idle}) {
            if (timeout.compareTo(shortest) < 0) {
                shortest = timeout;
            }
        }
        Duration tenth = shortest.dividedBy(10);
        if (tenth.compareTo(Duration.ofMillis(50)) < 0) {
            return Duration.ofMillis(50);
        }
        return tenth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : tenth;
    }

    /** The connection served by the calling thread (a request handler's), or {@code null} if there is none. */
    public OpenConnection current() {
        return byThread.get(Thread.currentThread());
    }

    /**
     * The link an event stream answering {@code request} writes through: on HTTP/1.1 the calling thread's connection
     * (or {@code null} if it has none), on HTTP/2 the request's stream.
     */
    public StreamLink link(ServerRequest request, ServerResponse response) {
        return isHttp2(request) ? Http2StreamLink.of(response, this) : current();
    }

    /** Whether {@code request} came on an HTTP/2 connection (whose other streams must go on when it ends). */
    public static boolean isHttp2(ServerRequest request) {
        return "2.0".equals(request.prologue().protocolVersion());
    }

    /** TCP connections open now. */
    public int count() {
        return open.get();
    }

    /** {@code server.max-tcp-connections}: at this many the listener stops accepting. */
    public int max() {
        return maxTcpConnections;
    }

    public void start() {
        sweeper = Thread.ofPlatform().daemon(true).name("sse-gateway-request-timeouts").start(this::sweep);
    }

    public void stop() {
        running = false;
        if (sweeper != null) {
            sweeper.interrupt();
        }
    }

    /** A connection was accepted; called on the thread that will serve it. */
    OpenConnection opened(ConnectionContext ctx) {
        OpenConnection connection = new OpenConnection(ctx.serverSocket(), System.nanoTime() + headerNanos);
        byThread.put(Thread.currentThread(), connection);
        if (open.incrementAndGet() >= maxTcpConnections) {
            // the listener now waits for a connection to end before it accepts again: new clients queue in the backlog
            metrics.tcpLimitReached.increment();
        }
        return connection;
    }

    void closed(OpenConnection connection) {
        if (byThread.remove(Thread.currentThread(), connection)) {
            open.decrementAndGet();
        }
    }

    /**
     * The connection {@code ctx}, served by the calling thread, speaks HTTP/2 from now on: no request timeout applies
     * to it here (its streams have no request hooks; Helidon's idle sweep closes it once it has no streams).
     */
    void http2Started(ConnectionContext ctx) {
        http2.putIfAbsent(ctx, ConcurrentHashMap.newKeySet());
        OpenConnection connection = current();
        if (connection != null) {
            connection.enter(OpenConnection.Phase.HTTP2, OpenConnection.NONE);
        }
    }

    /** The connection {@code ctx} ended: the event streams still open on it learn that their client is gone. */
    void connectionEnded(ConnectionContext ctx) {
        Set<Http2StreamLink> links = http2.remove(ctx);
        if (links != null) {
            links.forEach(Http2StreamLink::close);
        }
    }

    /** Whether the HTTP/2 connection {@code ctx} carries event streams (then it is never idle). */
    boolean hasHttp2Streams(ConnectionContext ctx) {
        Set<Http2StreamLink> links = http2.get(ctx);
        return links != null && !links.isEmpty();
    }

    /** Adds an event stream to its HTTP/2 connection; {@code false} if that connection has ended already. */
    boolean http2StreamOpened(ConnectionContext ctx, Http2StreamLink link) {
        Set<Http2StreamLink> links = http2.get(ctx);
        if (links == null) {
            return false;
        }
        links.add(link);
        // the connection may have ended (and closed the links it saw) meanwhile
        return http2.get(ctx) == links;
    }

    void http2StreamClosed(ConnectionContext ctx, Http2StreamLink link) {
        Set<Http2StreamLink> links = http2.get(ctx);
        if (links != null) {
            links.remove(link);
        }
    }

    /** A request line arrived on the calling thread's connection. */
    void requestLine() {
        OpenConnection connection = current();
        if (connection != null && connection.phase() == OpenConnection.Phase.IDLE) {
            // the next request of a keep-alive connection: its headers get the full header timeout
            connection.enter(OpenConnection.Phase.HEAD, System.nanoTime() + headerNanos);
        }
    }

    /** The headers of a request arrived; its body (if any) and handler come next. */
    void requestHeaders(boolean hasBody) {
        OpenConnection connection = current();
        if (connection != null) {
            if (hasBody) {
                connection.enter(OpenConnection.Phase.BODY, System.nanoTime() + bodyNanos);
            } else {
                connection.enter(OpenConnection.Phase.HANDLER, OpenConnection.NONE);
            }
        }
    }

    /** The response began (its status line is being written): from now on the connection counts as idle. */
    void responseStarted() {
        OpenConnection connection = current();
        if (connection != null && connection.phase() != OpenConnection.Phase.STREAM) {
            connection.enter(OpenConnection.Phase.IDLE, System.nanoTime() + idleNanos);
        }
    }

    private void sweep() {
        while (running) {
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
            try {
                closeExpired(System.nanoTime());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Closing timed-out connections failed", e);
            }
        }
    }

    /** Closes every connection whose deadline is at or before {@code now}; returns how many. */
    int closeExpired(long now) {
        int closed = 0;
        for (OpenConnection connection : byThread.values()) {
            long deadline = connection.deadline();
            if (deadline == OpenConnection.NONE || now - deadline < 0) {
                continue;
            }
            OpenConnection.Phase phase = connection.claimTimedOut(deadline);
            if (phase != null) {
                metrics.connectionTimedOut(phase.timeout);
                connection.close();
                closed++;
            }
        }
        if (closed > 0 && LOG.isLoggable(Level.FINE)) {
            LOG.fine("Closed " + closed + " connections that exceeded a request or idle timeout");
        }
        return closed;
    }
}
