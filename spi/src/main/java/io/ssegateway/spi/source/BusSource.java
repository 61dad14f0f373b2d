package io.ssegateway.spi.source;

import io.ssegateway.spi.storage.MessageStorage;

/**
 * A source that is also a message bus shared by every gateway instance (Redis Pub/Sub, for example). With a bus,
 * {@code POST /api/send} does not store and deliver a message itself: it hands the message to {@link #publish}, the
 * bus carries it to every instance (this one included), and each instance delivers what it receives from its
 * {@link #start source loop}. That way every instance delivers a channel's events in the same order — the bus's.
 * <p>
 * What the gateway does:
 * <ol>
 *   <li>Once, while it is built and before {@link #start}, it calls {@link #attach} with its storage; the answer says
 *       who stores what the bus carries (see {@link StoringMode}).</li>
 *   <li>For each {@code POST /api/send} it validates the message (400/413 for an invalid one, the bus never sees
 *       it) and, in {@link StoringMode#EACH_INSTANCE_STORES} mode, gives a message without business id a random one
 *       so that a storage shared by the instances keeps it once. Then, if {@link #isAvailable()}, it calls
 *       {@link #publish} and answers {@code {"success": true, "sent_count": <local subscribers of the channel now>,
 *       "stream_id": <what publish returned>}}. If the bus is unavailable or {@code publish} throws anything but an
 *       {@link IllegalArgumentException}, it falls back to storing and delivering the message on this instance only,
 *       logs that, and says so in the reply ({@code "warning"}); an {@link IllegalArgumentException} is answered
 *       400.</li>
 * </ol>
 */
public interface BusSource extends MessageSource {

    /** Who stores the messages a bus carries. */
    enum StoringMode {
        /**
         * The bus stores a message in the gateway's storage as it publishes it (one atomic step: the same backend)
         * and carries it with its stream id: {@link #publish} returns that id, every instance receives the message
         * {@linkplain IncomingMessage#withStreamId already stored} and delivers it under that id, and nobody appends
         * it again. Stored once, the same id everywhere.
         */
        BUS_STORES,
        /**
         * The bus only carries messages: every instance appends what it receives to its storage (idempotently on the
         * business id, so that a storage the instances share keeps it once); {@link #publish} returns {@code null}.
         */
        EACH_INSTANCE_STORES
    }

    /**
     * Called once with the gateway's storage, before {@link #start} and before any {@link #publish}, on the thread
     * that builds the gateway (with the plugin's class loader as context class loader). A bus that can store on the
     * gateway's behalf (it recognises the storage as one of its own backend) says {@link StoringMode#BUS_STORES}.
     *
     * @return how messages published on this bus are stored
     * @throws IllegalArgumentException the bus cannot work with this storage; the gateway does not start, and the
     *                                  message (which should name the configuration keys to fix) is shown to the user
     */
    StoringMode attach(MessageStorage storage);

    /**
     * Publishes a valid message (a channel message or a broadcast) to every gateway instance on the bus, this one
     * included; returns once the bus has accepted it. Called from request threads, concurrently; must be
     * thread-safe. May block on the bus for at most the bus's configured timeout.
     *
     * @return the stream id the message was stored under, in {@link StoringMode#BUS_STORES} mode; {@code null}
     * otherwise, and for broadcasts
     * @throws IllegalArgumentException the bus cannot carry this message (a reserved channel name, for example); the
     *                                  client gets 400 with the message
     * @throws Exception                the bus is unreachable or refused: the gateway falls back to the local path
     */
    String publish(IncomingMessage message) throws Exception;
}
