package io.ssegateway.host.http;

/**
 * What carries one event stream to its client: an HTTP/1.1 connection the stream owns ({@link OpenConnection}), or
 * one stream of an HTTP/2 connection that other streams share ({@link Http2StreamLink}). The endpoint and its writer
 * see the same three steps either way: the stream starts, the request thread waits for the client to leave, and the
 * stream is closed.
 */
public interface StreamLink {

    /**
     * From now on the link carries an event stream: no request timeout applies to it any more. Call it before the
     * first write of the response.
     */
    void streaming();

    /**
     * Blocks until the client leaves (closes its connection, or on HTTP/2 resets the stream or loses the
     * connection), or {@link #close()} is called. Only for the stream's own request thread.
     */
    void awaitClientClose();

    /**
     * Breaks the stream off at once, from any thread; idempotent. A write blocked on it fails, and
     * {@link #awaitClientClose()} returns. On HTTP/1.1 this closes the TCP connection; on HTTP/2 only this stream ends.
     */
    void close();

    /**
     * Breaks the stream off because its writes are stuck (a slow consumer, or shutdown after the grace period): like
     * {@link #close()}, and a write blocked on the stream fails whatever it waits for.
     */
    default void abort() {
        close();
    }

    /**
     * Whether the stream owns its TCP connection (HTTP/1.1), which then must be closed when the stream ends. An
     * HTTP/2 stream shares its connection: only the stream ends.
     */
    boolean ownsConnection();

    /**
     * Whether the client is known to have left, for a stream that polls instead of waiting in
     * {@link #awaitClientClose()} (the dashboard's). On HTTP/1.1 a failed write tells; on HTTP/2 a reset stream
     * takes writes without failing, so its state is looked at.
     */
    default boolean clientGone() {
        return false;
    }

    /** A write pass begins on the calling thread (so that {@link #close()} can abort a write blocked in it). */
    default void passStarted() {
    }

    /** The write pass on the calling thread is over. */
    default void passEnded() {
    }
}
