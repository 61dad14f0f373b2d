package io.ssegateway.spi.source;

import io.ssegateway.spi.storage.StorageException;

/**
 * The gateway's entry point for messages, given to {@link MessageSource#start}. Implemented by the host only
 * (plugins call it, never implement it), so methods may be added to it.
 * <p>
 * Thread-safe: call it from any number of threads. It never blocks on a slow subscriber (each connection has its
 * own bounded queue); it does wait for the storage to append the message. Messages for one channel are stored and
 * queued in the order in which the calls for that channel enter the gateway.
 */
public interface MessageHandler {

    /**
     * Validates, stores (unless it is a broadcast or {@linkplain IncomingMessage#streamId() already stored}) and
     * queues the message for every local subscriber of its channel (every connection, for a broadcast). Returns once
     * that is done: a source that acknowledges to its broker after this call returns loses nothing.
     *
     * @return the stream id the message is stored and delivered under (the one clients see as {@code id:}); {@code null}
     * for a broadcast, or when the storage keeps nothing
     * @throws IllegalArgumentException the message is invalid (CR, LF or NUL in event type or id, channel id out of
     *                                  bounds, above {@code gateway.max-message-bytes} — then a
     *                                  {@link MessageTooLargeException}); the gateway has already
     *                                  logged and counted it — drop it, do not retry it
     * @throws StorageException         the storage failed; nothing was delivered — retry later (a broker redelivers),
     *                                  or call {@link #deliverWithoutStoring} if the message cannot come again
     */
    String handle(IncomingMessage message);

    /**
     * Validates and queues the message for local subscribers without storing it: subscribers online now get it (with
     * no {@code id:}, so it cannot be replayed), nobody else ever will. For a source that cannot redeliver after
     * {@link #handle} threw a {@link StorageException}. Counted and logged by the gateway as a message not stored.
     *
     * @throws IllegalArgumentException the message is invalid (already logged and counted)
     */
    void deliverWithoutStoring(IncomingMessage message);

    /**
     * Checks a message exactly as {@link #handle} would, without storing or delivering it. For a {@link BusSource}
     * that stores a message on the gateway's behalf before the message comes back to every instance: an invalid one
     * must not reach the storage, where replays would pick it up. The gateway's handler always validates; this
     * default accepts everything and exists only so that handlers written for tests keep compiling.
     *
     * @throws IllegalArgumentException the message is invalid (already logged and counted by the gateway)
     */
    default void validate(IncomingMessage message) {
    }
}
