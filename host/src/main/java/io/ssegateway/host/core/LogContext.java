package io.ssegateway.host.core;

/**
 * The connection a thread is serving, for log lines: the JSON log format adds its {@code connection_id} and
 * {@code channel_id} to every record the thread logs meanwhile. Set by the SSE request thread for its stream's life.
 */
public final class LogContext {

    /** What a thread is serving: one connection of one channel. */
    public record Ids(String connectionId, String channelId) {
    }

    private static final ThreadLocal<Ids> CURRENT = new ThreadLocal<>();

    private LogContext() {
    }

    /** Marks the calling thread as serving {@code ids} until {@link #clear()}. */
    public static void set(String connectionId, String channelId) {
        CURRENT.set(new Ids(connectionId, channelId));
    }

    public static void clear() {
        CURRENT.remove();
    }

    /** What the calling thread serves, or {@code null}. */
    public static Ids current() {
        return CURRENT.get();
    }
}
