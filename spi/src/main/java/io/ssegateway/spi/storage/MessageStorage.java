package io.ssegateway.spi.storage;

import io.ssegateway.spi.SseEvent;

/**
 * The replay history. Every stored event gets a stream id from the storage; ids increase strictly per channel
 * (whatever the number of gateway instances sharing the storage), and clients send the last one back as
 * {@code Last-Event-ID}.
 * <p>
 * Thread-safe: the gateway calls it from many virtual threads at once (appends for one channel are serialized by
 * the gateway; appends for different channels and replays run concurrently). Methods may block on I/O. Failures
 * are runtime exceptions, preferably {@link StorageException}; the gateway logs and counts them and never lets
 * them break a connection.
 * <p>
 * Contract tests: extend {@code io.ssegateway.spi.testkit.MessageStorageContract} from the {@code spi} test jar.
 */
public interface MessageStorage {

    /** The value of {@code lastEventId} that asks for everything retained. */
    String EARLIEST = "earliest";

    /**
     * Stores {@code event} for {@code channelId} and returns its stream id.
     * <p>
     * Idempotent on the business id: if an event with the same {@link SseEvent#messageId()} is still retained for
     * this channel (appended by this or another instance), nothing is stored and that event's stream id is
     * returned. The {@link SseEvent#id()} of the argument is ignored.
     *
     * @return the stream id; {@code null} if this storage keeps nothing (the event is then sent without {@code id:})
     */
    String append(String channelId, SseEvent event);

    /**
     * The events of {@code channelId} after {@code lastEventId} (exclusive), oldest first, each with its stream id.
     * {@link #EARLIEST} asks for everything retained (a complete replay). An id older than the retained history, or
     * one this storage never issued, gives {@link Replay#gap} with everything retained.
     */
    Replay messagesAfter(String channelId, String lastEventId);

    /**
     * Orders two stream ids this storage issued for one channel: negative if {@code a} was issued before {@code b},
     * zero if they are the same, positive if after. The gateway uses it so that a reconnecting client is not sent
     * again what it already has — live events overlapping its replay, or a bus delivering late what the client got
     * from another instance. Called on hot paths: it must be cheap, must not block, and must not depend on the
     * context class loader.
     * <p>
     * The default understands {@code <number>} and {@code <number>-<number>} ids (the memory storage's and Redis
     * stream ids) and compares them numerically; a storage whose ids look different must override it.
     *
     * @throws IllegalArgumentException either id is not one this storage could have issued (the gateway then sends the
     *                                  event rather than guess)
     */
    default int compareIds(String a, String b) {
        return StreamIdOrder.compare(a, b);
    }

    /**
     * Whether the storage can append and replay right now. Called by {@code /ready} and the stats from any thread;
     * must be cheap and must not block.
     */
    boolean isAvailable();

    /** A short name for logs, {@code /api/stats} and {@code /ready}, for example {@code memory}. */
    String name();

    /** Releases resources on shutdown, after every connection has ended. */
    default void close() {
    }
}
