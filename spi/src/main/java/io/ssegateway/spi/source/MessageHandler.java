package io.ssegateway.spi.source;

import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.storage.StorageException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's entry point for messages, given to {@link MessageSource#start}. Implemented by the host only
 * (plugins call it, never implement it outside tests), so methods may be added to it.
 * <p>
 * Thread-safe: call it from any number of threads. It never blocks on a slow subscriber (each connection has its
 * own bounded queue); it does wait for the storage to append the message. Messages for one channel are stored and
 * queued in the order in which the calls for that channel enter the gateway.
 */
public interface MessageHandler {

    /**
     * Validates, stores (unless it is {@linkplain IncomingMessage#isLiveOnly() live only} or
     * {@linkplain IncomingMessage#streamId() already stored}) and queues the message for every local subscriber of
     * its channel (every connection, for a broadcast). Returns once that is done: a source that acknowledges to its
     * broker after this call returns loses nothing.
     *
     * @param ifStorageFails what the gateway does when the storage cannot take the message: deliver it to whoever is
     *                       online without an id (for a source that cannot bring it again), or deliver nothing and
     *                       throw (for a source whose broker redelivers)
     * @return what happened: the stream id, how many local subscribers got it, whether it was stored
     * @throws IllegalArgumentException the message is invalid (CR, LF or NUL in event type or ids, ids out of bounds,
     *                                  above {@code gateway.max-message-bytes} — then a
     *                                  {@link MessageTooLargeException}); the gateway has already logged and counted
     *                                  it — drop it, do not retry it
     * @throws StorageException         only with {@link IfStorageFails#THROW}: the storage failed (a
     *                                  {@link io.ssegateway.spi.storage.StorageTimeoutException} if it may have stored
     *                                  the message all the same); nothing was delivered — retry later with the same
     *                                  business id
     */
    Delivery handle(IncomingMessage message, IfStorageFails ifStorageFails);

    /**
     * Checks a message exactly as {@link #handle} would, without storing or delivering it. For a {@link BusSource}
     * that stores a message on the gateway's behalf before the message comes back to every instance: an invalid one
     * must not reach the storage, where replays would pick it up.
     *
     * @throws IllegalArgumentException the message is invalid (already logged and counted by the gateway)
     */
    void validate(IncomingMessage message);

    /**
     * Asks the gateway's authenticator whether a publisher may publish: for a source with an HTTP API of its own (the
     * channel registry's {@code /push}), when a request presents a credential other than the source's own static
     * token. The gateway judges it exactly as a publisher token at {@code /api/send}.
     *
     * @param method     the request's HTTP method
     * @param uri        the request target as received (path and query)
     * @param headers    the request headers (names in any case)
     * @param clientIp   the client's address
     * @param channelIds the channels the message goes to; empty for a broadcast
     * @return empty when the gateway has no authenticator that {@linkplain
     * io.ssegateway.spi.auth.Authenticator#authorizesPublishers() judges publishers} (only the source's own token
     * admits then); otherwise the verdict: allowed, or a denial to answer with as given (a 503 when the authenticator
     * itself failed)
     */
    default Optional<AuthResult> authorizePublish(String method, String uri, Map<String, List<String>> headers,
                                                  String clientIp, List<String> channelIds) {
        return Optional.empty();
    }
}
