package io.ssegateway.host.http;

import io.helidon.common.socket.HelidonSocket;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One accepted TCP connection of the listener: what it is waiting for (its {@link Phase}) and by when that must have
 * happened. {@link OpenConnections} closes it once the deadline has passed.
 */
public final class OpenConnection implements StreamLink {

    /** What the connection is doing; the timed phases have a deadline. */
    enum Phase {
        /** Reading a request line and headers: {@code server.request-header-timeout}. */
        HEAD("header"),
        /** A request with a body, from its headers until the response starts: {@code gateway.request-body-timeout}. */
        BODY("body"),
        /** A request without a body in its handler: untimed (the handler bounds its own work). */
        HANDLER(null),
        /** A keep-alive connection waiting for its next request: {@code server.idle-timeout}. */
        IDLE("idle"),
        /** An event stream: untimed; its writer notices a closed client. */
        STREAM(null),
        /**
         * An HTTP/2 connection: untimed here (its streams have no request hooks); Helidon's idle sweep closes one
         * without open streams, and each event stream on it is watched by its {@link Http2StreamLink}.
         */
        HTTP2(null);

        /** The label of the timeout counter, or {@code null} for an untimed phase. */
        final String timeout;

        Phase(String timeout) {
            this.timeout = timeout;
        }
    }

    /** The deadline of an untimed phase, and of a connection already closed for its timeout. */
    static final long NONE = Long.MIN_VALUE;
    private static final AtomicLongFieldUpdater<OpenConnection> DEADLINE =
            AtomicLongFieldUpdater.newUpdater(OpenConnection.class, "deadline");

    private static final AtomicIntegerFieldUpdater<OpenConnection> CLOSED =
            AtomicIntegerFieldUpdater.newUpdater(OpenConnection.class, "closed");

    private final HelidonSocket socket;
    private volatile int closed;
    private volatile Phase phase;
    /** In {@link System#nanoTime()}, or {@link #NONE}. */
    private volatile long deadline;

    OpenConnection(HelidonSocket socket, long headDeadline) {
        this.socket = socket;
        this.phase = Phase.HEAD;
        this.deadline = headDeadline;
    }

    /**
     * From now on the connection carries an event stream: no request timeout applies to it any more. Call it before
     * the first write of the response.
     */
    @Override
    public void streaming() {
        enter(Phase.STREAM, NONE);
    }

    /** An HTTP/1.1 stream owns its connection: when it ends, the connection closes. */
    @Override
    public boolean ownsConnection() {
        return true;
    }

    /**
     * Blocks until the client closes the connection (end of stream or reset), or the connection is closed by this
     * side. Whatever the client sends meanwhile is discarded. Only for a stream's own request thread, once the
     * request has been read; the connection must be closed when it returns (nothing may read it again: its read
     * buffer is given back, see {@link ReadBufferRelease}).
     */
    @Override
    public void awaitClientClose() {
        ReadBufferRelease.release(socket);
        try {
            while (socket.get() != null) {
                // a client has nothing to send on an event stream: what arrives is dropped
            }
        } catch (RuntimeException closed) {
            // reset by the client, or closed by this side (the stream ended)
        }
    }

    /** Closes the socket at once (a blocked read or write on it fails); idempotent. */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            return;
        }
        try {
            socket.close();
        } catch (UncheckedIOException | IllegalStateException resetOrClosed) {
            // reset by the client, or closed by Helidon: either way it is closed now
        }
    }

    Phase phase() {
        return phase;
    }

    long deadline() {
        return deadline;
    }

    /** Moves to {@code next}; {@code until} is its deadline or {@link #NONE}. Only the connection's threads call it. */
    void enter(Phase next, long until) {
        // clear the old deadline first: the sweeper must never pair an old deadline with a new phase
        deadline = NONE;
        phase = next;
        deadline = until;
    }

    /**
     * Claims the connection for closing if its deadline is still {@code expected} (it has not moved on meanwhile).
     *
     * @return the phase that timed out, or {@code null} if the connection moved on or was claimed before
     */
    Phase claimTimedOut(long expected) {
        if (expected == NONE || !DEADLINE.compareAndSet(this, expected, NONE)) {
            return null;
        }
        Phase timedOut = phase;
        // a stream never times out; if it became one just now, leave it
        return timedOut.timeout == null ? null : timedOut;
    }
}
