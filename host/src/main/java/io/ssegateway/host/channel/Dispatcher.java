package io.ssegateway.host.channel;

import io.ssegateway.host.GatewayMetrics;
import io.ssegateway.host.PluginCalls;
import io.ssegateway.spi.RateLimitedLog;
import io.ssegateway.host.sse.Frame;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageTooLargeException;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * The publish pipeline: validate → {@link MessageStorage#append} → fan-out to local subscribers.
 * Runs on the publisher's thread (a source loop, an {@code /api/send} request); no thread per message, no global
 * lock, no socket write.
 */
public final class Dispatcher implements MessageHandler {

    /** Longest channel id, in UTF-8 bytes; the same bound applies to business and stream ids. */
    public static final int MAX_ID_BYTES = 256;

    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

    private final ChannelRegistry registry;
    private final MessageStorage storage;
    private final GatewayMetrics metrics;
    private final int maxMessageBytes;
    private final RateLimitedLog rejectedLog = new RateLimitedLog(LOG);
    private final RateLimitedLog storageLog = new RateLimitedLog(LOG);

    /** What a publish did: the stream id ({@code null} if not stored) and how many local subscribers got it queued. */
    public record Result(String streamId, int queued, boolean stored) {
    }

    public Dispatcher(ChannelRegistry registry, MessageStorage storage, GatewayMetrics metrics, int maxMessageBytes) {
        this.registry = registry;
        this.storage = storage;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public String handle(IncomingMessage message) {
        return publish(message).streamId();
    }

    @Override
    public void deliverWithoutStoring(IncomingMessage message) {
        deliverLive(message);
    }

    /**
     * Stores and queues a message; see {@link MessageHandler#handle}.
     *
     * @throws IllegalArgumentException the message is invalid (logged and counted); a
     *                                  {@link MessageTooLargeException} when its data is too large
     * @throws StorageException        the append failed (logged and counted); nothing was queued
     */
    public Result publish(IncomingMessage message) {
        validate(message);
        if (message.isBroadcast()) {
            return broadcast(message);
        }
        ChannelRegistry.Delivery delivery;
        try {
            delivery = registry.publish(message.channelId(), () -> {
                String streamId = message.streamId() != null ? message.streamId() : append(message);
                return Frame.event(streamId, message.eventType(), message.data(), null);
            });
        } catch (StorageException e) {
            metrics.appendFailures.increment();
            storageLog.warn("Could not store a message for channel '" + message.channelId() + "' in storage '"
                    + storage.name() + "': " + e.getMessage());
            throw e;
        }
        metrics.messagesPublished.increment();
        String streamId = delivery.frame().id();
        return new Result(streamId, delivery.queued(), streamId != null);
    }

    /** Queues a message to local subscribers without storing it; see {@link MessageHandler#deliverWithoutStoring}. */
    public Result deliverLive(IncomingMessage message) {
        validate(message);
        if (message.isBroadcast()) {
            return broadcast(message);
        }
        Frame frame = Frame.event(message.streamId(), message.eventType(), message.data(), null);
        ChannelRegistry.Delivery delivery = registry.publish(message.channelId(), () -> frame);
        metrics.messagesPublished.increment();
        if (message.streamId() == null) {
            metrics.messagesNotStored.increment();
        }
        return new Result(message.streamId(), delivery.queued(), false);
    }

    private Result broadcast(IncomingMessage message) {
        int queued = registry.broadcast(Frame.event(null, message.eventType(), message.data(), null));
        metrics.messagesPublished.increment();
        return new Result(null, queued, false);
    }

    private String append(IncomingMessage message) {
        SseEvent event = new SseEvent(null, message.eventType(), message.data(), message.id(), null);
        try {
            return PluginCalls.withContextLoader(storage, () -> storage.append(message.channelId(), event));
        } catch (StorageException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StorageException(storage.name() + " append failed: " + e, e);
        }
    }

    /** Checks a message as {@link #publish} does; see {@link MessageHandler#validate}. */
    @Override
    public void validate(IncomingMessage message) {
        if (message.channelId() != null) {
            String problem = channelIdProblem(message.channelId());
            if (problem != null) {
                reject("invalid_channel", problem, message);
            }
        }
        if (message.eventType().isEmpty()) {
            reject("invalid_event_type", "event type must not be empty", message);
        }
        checkField("event type", message.eventType(), message);
        checkField("id", message.id(), message);
        checkField("stream id", message.streamId(), message);
        if (utf8LengthExceeds(message.data(), maxMessageBytes)) {
            reject("too_large", "data is larger than gateway.max-message-bytes (" + maxMessageBytes + " bytes)", message);
        }
    }

    private void checkField(String name, String value, IncomingMessage message) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                reject("control_characters", name + " must not contain CR, LF or NUL", message);
            }
        }
        if (utf8LengthExceeds(value, MAX_ID_BYTES)) {
            reject("too_long", name + " is longer than " + MAX_ID_BYTES + " bytes", message);
        }
    }

    private void reject(String reason, String problem, IncomingMessage message) {
        metrics.messageRejected(reason);
        rejectedLog.warn("Dropped an invalid message (" + problem + "): " + message);
        throw "too_large".equals(reason) ? new MessageTooLargeException(problem) : new IllegalArgumentException(problem);
    }

    /**
     * Why a channel id is unacceptable, or {@code null} if it is fine: 1 to 256 bytes of UTF-8, no control
     * characters.
     */
    public static String channelIdProblem(String channelId) {
        if (channelId == null || channelId.isEmpty()) {
            return "channel_id must not be empty";
        }
        for (int i = 0; i < channelId.length(); i++) {
            if (Character.isISOControl(channelId.charAt(i))) {
                return "channel_id must not contain control characters";
            }
        }
        if (utf8LengthExceeds(channelId, MAX_ID_BYTES)) {
            return "channel_id is longer than " + MAX_ID_BYTES + " bytes";
        }
        return null;
    }

    /** Whether {@code text} takes more than {@code limit} bytes in UTF-8, without encoding it when that is obvious. */
    static boolean utf8LengthExceeds(String text, int limit) {
        if ((long) text.length() * 3 <= limit) {
            return false;
        }
        if (text.length() > limit) {
            return true;
        }
        return text.getBytes(StandardCharsets.UTF_8).length > limit;
    }
}
