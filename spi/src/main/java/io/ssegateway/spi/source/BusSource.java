package io.ssegateway.spi.source;

import io.ssegateway.spi.storage.MessageStorage;

/**
 * A source that is also a message bus shared by every gateway instance (Redis Pub/Sub, for example). With a bus,
 * {@code POST /api/send} does not store and deliver a message itself: it hands the message to {@link #publish}, the
 * bus carries it to every instance (this one included), and each instance delivers what it receives from its
 * {@link #start source loop}. That way every instance delivers a channel's events in the same order — the bus's —
 * and, when the bus stores the message on the way (see {@link IncomingMessage#withStreamId}), with the same stream id.
 * <p>
 * What the gateway does:
 * <ol>
 *   <li>Once, while it is built and before {@link #start}, it calls {@link #useStorage} with its storage.</li>
 *   <li>For each {@code POST /api/send} it validates the message (400/413 for an invalid one, the bus never sees
 *       it); then, if {@link #isAvailable()}, it calls {@link #publish} and answers
 *       {@code {"success": true, "sent_count": <local subscribers of the channel now>, "stream_id": <what publish
 *       returned>}}. If the bus is unavailable or {@code publish} throws anything but an
 *       {@link IllegalArgumentException}, it falls back to storing and delivering the message on this instance only,
 *       logs that, and says so in the reply ({@code "warning"}); an {@link IllegalArgumentException} is answered 400.</li>
 * </ol>
 * Adding this interface to a source is backwards compatible: a plain {@link MessageSource} keeps the local path.
 */
public interface BusSource extends MessageSource {

    /**
     * The storage the gateway appends to and replays from. Called once, before {@link #start} and before any
     * {@link #publish}, on the thread that builds the gateway (with the plugin's class loader as context class
     * loader). A bus that can store on the gateway's behalf (the same backend) remembers it; others may ignore it.
     *
     * @throws IllegalArgumentException the bus cannot work with this storage; the gateway does not start, and the
     *                                  message (which should name the configuration keys to fix) is shown to the user
     */
    default void useStorage(MessageStorage storage) {
    }

    /**
     * Publishes a valid message (a channel message or a broadcast) to every gateway instance on the bus, this one
     * included; returns once the bus has accepted it. Called from request threads, concurrently; must be
     * thread-safe. May block on the bus for at most the bus's configured timeout.
     *
     * @return the stream id the message was stored under, if the bus stored it on the way (every instance will
     * deliver it with that id); {@code null} if it was not stored here (a broadcast, or each instance stores what it
     * receives in its own storage)
     * @throws IllegalArgumentException the bus cannot carry this message (a reserved channel name, for example); the
     *                                  client gets 400 with the message
     * @throws Exception                the bus is unreachable or refused: the gateway falls back to the local path
     */
    String publish(IncomingMessage message) throws Exception;
}
