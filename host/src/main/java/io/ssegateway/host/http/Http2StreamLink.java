package io.ssegateway.host.http;

import io.helidon.http.http2.Http2Stream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerResponse;
import java.lang.reflect.Field;
import java.util.concurrent.BlockingQueue;

/**
 * One event stream on an HTTP/2 connection. Helidon 4.5 tells a stream's handler nothing when the client resets the
 * stream (an {@code EventSource} closed while others share the connection) or the connection ends; it only marks the
 * stream closed and puts a wake-up frame in the stream's inbound queue. So the request thread waits on that queue
 * (as on HTTP/1.1 it waits on the socket): it returns when the stream is reset, when the connection ends
 * ({@link OpenConnections} closes every link of it), or when the gateway closes the link.
 * <p>
 * Helidon keeps the stream and its queue private: they are reached by reflection on its classes (tested against the
 * Helidon version the gateway ships; {@link #available()} says whether this Helidon has them).
 */
public final class Http2StreamLink implements StreamLink {

    private static final Internals INTERNALS = Internals.find();

    private final OpenConnections connections;
    private final ConnectionContext ctx;
    private final Http2Stream stream;
    private final BlockingQueue<?> inbound;
    /** Guarded by {@code this}. */
    private boolean closed;
    /** The request thread in {@link #awaitClientClose}; guarded by {@code this}. */
    private Thread waiter;
    /** Whether {@link #close} interrupted the waiter (an interrupt it must not keep); guarded by {@code this}. */
    private boolean wokeWaiter;
    private volatile Thread pass;

    private Http2StreamLink(OpenConnections connections, ConnectionContext ctx, Http2Stream stream, BlockingQueue<?> inbound) {
        this.connections = connections;
        this.ctx = ctx;
        this.stream = stream;
        this.inbound = inbound;
    }

    /** Whether this Helidon's HTTP/2 stream can be watched (its private fields are where this class expects them). */
    public static boolean available() {
        return INTERNALS != null;
    }

    /** The link of the HTTP/2 stream {@code response} answers on. */
    static Http2StreamLink of(ServerResponse response, OpenConnections connections) {
        if (INTERNALS == null) {
            throw new IllegalStateException("this Helidon's HTTP/2 stream internals are not the expected ones");
        }
        try {
            Object stream = INTERNALS.responseStream.get(response);
            return new Http2StreamLink(connections, (ConnectionContext) INTERNALS.streamContext.get(stream),
                    (Http2Stream) stream, (BlockingQueue<?>) INTERNALS.streamInbound.get(stream));
        } catch (IllegalAccessException | ClassCastException e) {
            throw new IllegalStateException("cannot reach the HTTP/2 stream of " + response.getClass().getName(), e);
        }
    }

    @Override
    public void streaming() {
        if (!connections.http2StreamOpened(ctx, this)) {
            // the connection ended already
            close();
        }
    }

    @Override
    public void awaitClientClose() {
        synchronized (this) {
            if (closed) {
                return;
            }
            waiter = Thread.currentThread();
        }
        try {
            // a GET's own end of stream left one wake-up frame in the queue; a reset adds another after marking the
            // stream CLOSED, so the state is looked at after each frame
            while (stream.streamState() != Http2StreamState.CLOSED) {
                inbound.take();
            }
        } catch (InterruptedException e) {
            // woken by close(), or the server is stopping: which one is settled below
            Thread.currentThread().interrupt();
        } finally {
            synchronized (this) {
                waiter = null;
                if (wokeWaiter) {
                    // the interrupt was close()'s wake-up, not the server's
                    Thread.interrupted();
                }
            }
        }
    }

    /**
     * Ends the watch: the request thread returns from {@link #awaitClientClose}, and a write pass waiting for this
     * stream's flow-control window (which a client that reset the stream never grants) is interrupted, which makes
     * its write fail. A pass that is writing is left to finish: interrupting a socket write would close the
     * connection, and with it the other streams.
     */
    @Override
    public void close() {
        end(stream.flowControl().outbound().getRemainingWindowSize() < 1);
    }

    /**
     * Like {@link #close()}, and a write pass blocked on this stream is interrupted whatever it waits for: the
     * client's window, the connection's writer, or the socket. Interrupted inside the socket write itself, it closes
     * the connection: a queue overflowed while the window was open means the connection's socket is not taking
     * bytes, and every stream on it is stuck, as a slow HTTP/1.1 client's connection is closed.
     */
    @Override
    public void abort() {
        end(true);
    }

    /** Closes once; the pass is interrupted whenever asked (an abort may follow a close whose pass got stuck). */
    private void end(boolean interruptPass) {
        boolean first;
        synchronized (this) {
            first = !closed;
            closed = true;
            if (first && waiter != null && waiter != Thread.currentThread()) {
                wokeWaiter = true;
                waiter.interrupt();
            }
        }
        Thread writing = pass;
        if (interruptPass && writing != null && writing != Thread.currentThread()) {
            writing.interrupt();
        }
        if (first) {
            connections.http2StreamClosed(ctx, this);
        }
    }

    @Override
    public boolean ownsConnection() {
        return false;
    }

    @Override
    public synchronized boolean clientGone() {
        return closed || stream.streamState() == Http2StreamState.CLOSED;
    }

    @Override
    public void passStarted() {
        pass = Thread.currentThread();
    }

    @Override
    public void passEnded() {
        pass = null;
    }

    /** Helidon's private fields this class reads, or none if this Helidon does not have them. */
    private record Internals(Field responseStream, Field streamContext, Field streamInbound) {

        static Internals find() {
            try {
                Class<?> response = Class.forName("io.helidon.webserver.http2.Http2ServerResponse");
                Class<?> stream = Class.forName("io.helidon.webserver.http2.Http2ServerStream");
                Field responseStream = response.getDeclaredField("stream");
                Field streamContext = stream.getDeclaredField("ctx");
                Field streamInbound = stream.getDeclaredField("inboundData");
                if (!BlockingQueue.class.isAssignableFrom(streamInbound.getType())
                        || !ConnectionContext.class.isAssignableFrom(streamContext.getType())
                        || !Http2Stream.class.isAssignableFrom(stream)) {
                    return null;
                }
                responseStream.setAccessible(true);
                streamContext.setAccessible(true);
                streamInbound.setAccessible(true);
                return new Internals(responseStream, streamContext, streamInbound);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }
}
