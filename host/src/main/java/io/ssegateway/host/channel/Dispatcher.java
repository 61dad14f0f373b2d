package io.ssegateway.host.channel;

import io.ssegateway.host.auth.PublishAuthorizer;
import io.ssegateway.host.core.Frame;
import io.ssegateway.host.core.GatewayMetrics;
import io.ssegateway.host.core.Rejection;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.kit.ChannelIds;
import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.kit.Unicode;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.source.Delivery;
import io.ssegateway.spi.source.Delivery.Outcome;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageTooLargeException;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.StorageException;
import io.ssegateway.spi.storage.StorageTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The publish pipeline: validate → {@link MessageStorage#append} → fan-out to local subscribers.
 * Runs on the publisher's thread (a source loop, an {@code /api/send} request); no thread per message, no global
 * lock, no socket write.
 */
public final class Dispatcher implements MessageHandler {

    /** Longest event type, business id or stream id, in UTF-8 bytes: the bound of channel ids. */
    public static final int MAX_ID_BYTES = ChannelIds.MAX_BYTES;

    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

    private final Subscriptions registry;
    private final MessageStorage storage;
    private final GatewayMetrics metrics;
    private final int maxMessageBytes;
    private final PublishAuthorizer publishers;
    private final RateLimitedLog rejectedLog = new RateLimitedLog(LOG);
    private final RateLimitedLog storageLog = new RateLimitedLog(LOG);

    public Dispatcher(Subscriptions registry, MessageStorage storage, GatewayMetrics metrics, int maxMessageBytes,
                      PublishAuthorizer publishers) {
        this.registry = registry;
        this.storage = storage;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
        this.publishers = publishers;
    }

    /** Judged by the gateway's authenticator, as a publisher credential at {@code /api/send} is. */
    @Override
    public Optional<AuthResult> authorizePublish(String method, String uri, Map<String, List<String>> headers,
                                                 String clientIp, List<String> channelIds) {
        return publishers.authorize(method, uri, headers, clientIp, channelIds);
    }

    /**
     * Validates, stores (unless live only or already stored) and queues a message; see {@link MessageHandler#handle}.
     * The one place that decides what a failed append means: counted and logged here, then the message is delivered
     * without id or the failure thrown, as the caller asked.
     *
     * @throws IllegalArgumentException the message is invalid (logged and counted); a
     *                                  {@link MessageTooLargeException} when its data is too large
     * @throws StorageException        with {@link IfStorageFails#THROW}: the append failed; nothing was queued
     */
    @Override
    public Delivery handle(IncomingMessage message, IfStorageFails ifStorageFails) {
        validate(message);
        if (message.isBroadcast()) {
            int queued = registry.broadcast(Frame.broadcast(message.eventType(), message.data()));
            metrics.messagesPublished.increment();
            return new Delivery(null, queued, Outcome.NOT_STORED);
        }
        if (message.isLiveOnly()) {
            return deliverUnstored(message, Outcome.NOT_STORED);
        }
        Subscriptions.Delivery delivery;
        try {
            delivery = registry.publish(message.channelId(), withEnvelope -> {
                String streamId = message.streamId() != null ? message.streamId() : append(message);
                return Frame.channelEvent(message.channelId(), streamId, message.eventType(), message.data(), withEnvelope);
            });
        } catch (StorageException e) {
            metrics.appendFailures.increment();
            boolean unknown = e instanceof StorageTimeoutException;
            storageLog.warn((unknown ? "The storage '" + storage.name() + "' timed out storing" : "Could not store")
                    + " a message for channel '" + message.channelId() + "'"
                    + (unknown ? "" : " in storage '" + storage.name() + "'") + ": " + e.getMessage()
                    + (ifStorageFails == IfStorageFails.THROW ? "; its source will retry"
                    : "; delivering it without id to the subscribers online here"));
            if (ifStorageFails == IfStorageFails.THROW) {
                throw e;
            }
            return deliverUnstored(message, unknown ? Outcome.UNKNOWN : Outcome.FAILED);
        }
        metrics.messagesPublished.increment();
        String streamId = delivery.frame().id();
        return new Delivery(streamId, delivery.queued(), streamId != null ? Outcome.STORED : Outcome.NOT_STORED);
    }

    /**
     * Queues a channel message to local subscribers without an id; nobody who connects later will get it. A message
     * the storage failed to take and nobody here received is not counted as published: it is lost unless its
     * publisher retries.
     */
    private Delivery deliverUnstored(IncomingMessage message, Outcome outcome) {
        Subscriptions.Delivery delivery = registry.publish(message.channelId(), withEnvelope ->
                Frame.channelEvent(message.channelId(), null, message.eventType(), message.data(), withEnvelope));
        if (outcome == Outcome.NOT_STORED || delivery.queued() > 0) {
            metrics.messagesPublished.increment();
            metrics.messagesNotStored.increment();
        }
        return new Delivery(null, delivery.queued(), outcome);
    }

    private String append(IncomingMessage message) {
        SseEvent event = new SseEvent(null, message.eventType(), message.data(), message.messageId());
        try {
            return PluginCalls.withContextLoader(storage, () -> storage.append(message.channelId(), event));
        } catch (StorageException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new StorageException(storage.name() + " append failed: " + PluginCalls.describe(storage, e), e);
        }
    }

    /** Checks a message as {@link #handle} does; see {@link MessageHandler#validate}. */
    @Override
    public void validate(IncomingMessage message) {
        validate(message, false);
    }

    /**
     * Checks a message an HTTP client sent ({@code /api/send}): refusals are counted like any other, but logged at
     * FINE only — the client is told why in its 400, and a client's mistake is not the operator's warning.
     */
    public void validateRequest(IncomingMessage message) {
        validate(message, true);
    }

    private void validate(IncomingMessage message, boolean fromClient) {
        if (message.channelId() != null) {
            String problem = ChannelIds.problem(message.channelId());
            if (problem != null) {
                reject(Rejection.INVALID_CHANNEL, problem, message, fromClient);
            }
        }
        if (message.eventType().isEmpty()) {
            reject(Rejection.INVALID_EVENT_TYPE, "event type must not be empty", message, fromClient);
        }
        checkField("event type", message.eventType(), message, fromClient);
        checkField("id", message.messageId(), message, fromClient);
        checkField("stream id", message.streamId(), message, fromClient);
        if (Unicode.utf8LengthExceeds(message.data(), maxMessageBytes)) {
            reject(Rejection.TOO_LARGE, "data is larger than gateway.max-message-bytes (" + maxMessageBytes + " bytes)", message, fromClient);
        }
    }

    private void checkField(String name, String value, IncomingMessage message, boolean fromClient) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                reject(Rejection.CONTROL_CHARACTERS, name + " must not contain CR, LF or NUL", message, fromClient);
            }
        }
        if (!Unicode.isWellFormed(value)) {
            reject(Rejection.INVALID_UNICODE, name + " is not valid Unicode (it holds half of a surrogate pair)", message, fromClient);
        }
        if (Unicode.utf8LengthExceeds(value, MAX_ID_BYTES)) {
            reject(Rejection.TOO_LONG, name + " is longer than " + MAX_ID_BYTES + " bytes", message, fromClient);
        }
    }

    private void reject(Rejection reason, String problem, IncomingMessage message, boolean fromClient) {
        metrics.messageRejected(reason);
        if (fromClient) {
            LOG.fine(() -> "Refused an invalid /api/send message (" + problem + "): " + message);
        } else {
            rejectedLog.warn("Dropped an invalid message (" + problem + "): " + message);
        }
        throw reason == Rejection.TOO_LARGE ? new MessageTooLargeException(problem) : new IllegalArgumentException(problem);
    }
}
