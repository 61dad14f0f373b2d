package io.ssegateway.spi.storage;

import io.ssegateway.spi.SseEvent;

/**
 * The replay history. Every stored event gets a stream id from the storage; ids increase strictly per channel
 * (whatever the number of gateway instances sharing the storage), and clients send the last one back as
 * {@code Last-Event-ID}.
 * <p>
 * Thread-safe: the gateway calls it from many virtual threads at once (appends for one channel are serialized by
 * the gateway; appends for different channels and replays run concurrently). Methods may block on I/O. Failures
 * are runtime exceptions, preferably {@link StorageException} ({@link StorageTimeoutException} when an operation timed
 * out and may have happened all the same); the gateway logs and counts them and never lets them break a connection.
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
     * returned. The {@link SseEvent#streamId()} of the argument is ignored.
     *
     * @return the stream id; {@code null} if this storage keeps nothing (the event is then sent without {@code id:})
     */
    String append(String channelId, SseEvent event);

    /**
     * One page of the events of {@code channelId} after {@code lastEventId} (exclusive), oldest first, each with its
     * stream id. {@link #EARLIEST} asks for everything retained (a complete replay). An id older than the retained
     * history, or one this storage never issued, gives {@link Replay#gap} starting with the oldest event retained.
     * <p>
     * A page holds events until their {@link SseEvent#sizeEstimate() sizes} add up to {@code maxBytes}, and at least
     * one event when there is any: a client that does not read pins at most one page, not the whole history. If more
     * events follow, the page says so ({@link Replay#more()}) and the gateway asks again after its last id.
     *
     * @param maxBytes the page's budget, at least 1
     */
    Replay messagesAfter(String channelId, String lastEventId, int maxBytes);

    /**
     * The stream id of the newest event retained for {@code channelId} (or, if none is retained, of the last one
     * evicted, when the storage still knows it), or {@code null} if the channel has no history. A multi-channel
     * connection reads it for each of its channels when it starts, to know where each channel stands: a later
     * {@code messagesAfter(channelId, lastId)} must give exactly the events appended after it.
     * <p>
     * The default pages through the whole history with {@link #messagesAfter}; a storage that knows its newest id
     * cheaply (the memory and Redis storages) overrides it. Since SPI 0.2.0.
     */
    default String lastId(String channelId) {
        String last = null;
        String after = EARLIEST;
        while (true) {
            Replay page = messagesAfter(channelId, after, 1024 * 1024);
            if (page.lastId() != null) {
                last = page.lastId();
            }
            if (!page.more()) {
                return last;
            }
            after = page.lastId();
        }
    }

    /**
     * Orders two stream ids this storage issued for one channel: negative if {@code a} was issued before {@code b},
     * zero if they are the same, positive if after. The gateway uses it so that a reconnecting client is not sent
     * again what it already has — live events overlapping its replay, or a bus delivering late what the client got
     * from another instance. Called on hot paths: it must be cheap, must not block, and must not depend on the
     * context class loader.
     *
     * @throws IllegalArgumentException either id is not one this storage could have issued (the gateway then sends the
     *                                  event rather than guess)
     */
    int compareIds(String a, String b);

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
