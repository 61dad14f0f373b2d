package io.ssegateway.plugin.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageException;
import io.ssegateway.spi.storage.StorageTimeoutException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Every channel's history in the one stream: appending (idempotent on the business id) and replaying by stream
 * sequence. A message on subject {@code <prefix>.<token>} is one event: its data is the payload (UTF-8), its headers
 * {@value #EVENT_HEADER} (event type; absent = {@code message}), {@value #ID_HEADER} (business id, if any) and
 * {@value #PREV_HEADER} (the stream sequence of the channel's previous message, 0 for its first: it tells a replay
 * whether an id that is no longer retained was the last one evicted). Header values are encoded by {@link Tokens}.
 * <p>
 * An event's stream id is its stream sequence, in decimal.
 */
final class ChannelLog {

    static final String EVENT_HEADER = "Sse-Event";
    static final String ID_HEADER = "Sse-Id";
    static final String PREV_HEADER = "Sse-Prev";
    /** JetStream's "no message found". */
    static final int NO_MESSAGE = 10037;
    /** JetStream's "wrong last sequence" (the subject moved on since we looked). */
    static final int WRONG_LAST_SEQUENCE = 10071;
    /** Appends racing with other instances for one channel retry this many times before giving up. */
    private static final int MAX_ATTEMPTS = 20;
    /** Channels whose last sequence is remembered; beyond it the memory is dropped (a miss costs one request). */
    private static final int MAX_REMEMBERED_CHANNELS = 10_000;

    private static final Logger LOG = Logger.getLogger(ChannelLog.class.getName());

    private final NatsLink link;
    private final NatsSettings settings;
    private final Map<String, Long> lastSequences = new ConcurrentHashMap<>();
    private final AtomicLong skipped = new AtomicLong();

    ChannelLog(NatsLink link) {
        this.link = link;
        this.settings = link.settings();
    }

    NatsLink link() {
        return link;
    }

    /**
     * Stores {@code event} on its channel's subject and returns its stream sequence. A business id already published
     * on this channel within {@code duplicate-window} stores nothing and returns that message's sequence.
     *
     * @throws StorageTimeoutException NATS did not answer in time (the message may be stored)
     * @throws StorageException        NATS is not connected or refused
     * @throws IllegalArgumentException the message is larger than the server's {@code max_payload}
     */
    long append(String channelId, SseEvent event) {
        String subject = settings.subjectOf(channelId);
        requireConnected("append to " + subject);
        checkSize(message(subject, event, Long.MAX_VALUE));
        try {
            Long remembered = lastSequences.get(subject);
            long prev = remembered != null ? remembered : lastSequenceOf(subject);
            for (int attempt = 1; ; attempt++) {
                try {
                    PublishAck ack = link.jetStream().publish(message(subject, event, prev), options(subject, event, prev));
                    if (!ack.isDuplicate()) {
                        remember(subject, ack.getSeqno());
                    }
                    return ack.getSeqno();
                } catch (JetStreamApiException e) {
                    if (e.getApiErrorCode() != WRONG_LAST_SEQUENCE || attempt >= MAX_ATTEMPTS) {
                        throw e;
                    }
                    prev = lastSequenceOf(subject);
                }
            }
        } catch (JetStreamApiException e) {
            lastSequences.remove(subject);
            throw new StorageException("NATS refused the append to " + subject + ": " + e.getMessage(), e);
        } catch (IOException e) {
            lastSequences.remove(subject);
            throw new StorageTimeoutException("NATS append to " + subject + " got no answer: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new StorageException("NATS append to " + subject + " failed: " + e.getMessage(), e);
        }
    }

    /** One page of a channel's events after {@code lastEventId}; see {@link MessageStorage#messagesAfter}. */
    Replay messagesAfter(String channelId, String lastEventId, int maxBytes) {
        String subject = settings.subjectOf(channelId);
        requireConnected("replay of " + subject);
        try {
            boolean complete;
            MessageInfo first;
            if (MessageStorage.EARLIEST.equals(lastEventId)) {
                complete = true;
                first = nextOn(subject, 1);
            } else {
                long asked = parse(lastEventId);
                MessageInfo atAsked = asked > 0 ? at(asked) : null;
                if (atAsked != null && subject.equals(atAsked.getSubject())) {
                    complete = true;
                    first = nextOn(subject, asked + 1);
                } else {
                    // not retained on this channel: complete only if it was the channel's last evicted message
                    first = nextOn(subject, 1);
                    complete = asked > 0 && first != null && prevOf(first) == asked;
                }
            }
            List<SseEvent> events = new ArrayList<>();
            long bytes = 0;
            boolean more = false;
            for (MessageInfo info = first; info != null; info = nextOn(subject, info.getSeq() + 1)) {
                SseEvent event = eventOf(info.getSeq(), info.getHeaders(), info.getData());
                if (event == null) {
                    continue;
                }
                if (!events.isEmpty() && bytes + event.sizeEstimate() > Math.max(1, maxBytes)) {
                    more = true;
                    break;
                }
                events.add(event);
                bytes += event.sizeEstimate();
            }
            return complete ? Replay.complete(events, more) : Replay.gap(events, more);
        } catch (JetStreamApiException e) {
            throw new StorageException("NATS replay of " + subject + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StorageException("NATS replay of " + subject + " got no answer: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new StorageException("NATS replay of " + subject + " failed: " + e.getMessage(), e);
        }
    }

    /** The sequence of the channel's newest retained message, or {@code null}: one request (last message by subject). */
    String lastIdOf(String channelId) {
        String subject = settings.subjectOf(channelId);
        requireConnected("read the last id of " + subject);
        try {
            long last = lastSequenceOf(subject);
            return last > 0 ? Long.toString(last) : null;
        } catch (JetStreamApiException | IOException | IllegalStateException e) {
            throw new StorageException("NATS could not read the last id of " + subject + ": " + e.getMessage(), e);
        }
    }

    /** The event a stored or delivered message holds, or {@code null} (logged) if it is not one the gateway can send. */
    SseEvent eventOf(long sequence, Headers headers, byte[] data) {
        String eventType = SseEvent.DEFAULT_EVENT_TYPE;
        String messageId = null;
        if (headers != null) {
            String rawType = headers.getFirst(EVENT_HEADER);
            String rawId = headers.getFirst(ID_HEADER);
            eventType = rawType == null ? eventType : Tokens.fromHeaderValue(rawType);
            messageId = rawId == null ? null : Tokens.fromHeaderValue(rawId);
            if (eventType == null || eventType.isEmpty() || hasLineBreak(eventType) || (rawId != null
                    && (messageId == null || hasLineBreak(messageId)))) {
                long count = skipped.incrementAndGet();
                if (count == 1 || count % 1000 == 0) {
                    LOG.warning("Skipped NATS message " + sequence + " of stream " + settings.stream() + ": its "
                            + EVENT_HEADER + " or " + ID_HEADER + " header is not a valid event type or id (" + count
                            + " skipped so far)");
                }
                return null;
            }
        }
        String text = data == null ? "" : new String(data, StandardCharsets.UTF_8);
        return new SseEvent(Long.toString(sequence), eventType, text, messageId);
    }

    /** Stream sequences in numeric order. */
    static int compareIds(String a, String b) {
        long left = parse(a);
        long right = parse(b);
        if (left < 1 || right < 1) {
            throw new IllegalArgumentException("not a NATS stream sequence: " + (left < 1 ? a : b));
        }
        return Long.compare(left, right);
    }

    /** A positive stream sequence, or -1. */
    static long parse(String id) {
        if (id == null || id.isEmpty() || id.length() > 20) {
            return -1;
        }
        for (int i = 0; i < id.length(); i++) {
            if (id.charAt(i) < '0' || id.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            long value = Long.parseLong(id);
            return value > 0 ? value : -1;
        } catch (NumberFormatException tooLarge) {
            return -1;
        }
    }

    /**
     * Refuses a message above the server's {@code max_payload} (1 MB by default, headers included) here, with a
     * message that says what to change: the server would refuse it by closing the connection.
     */
    void checkSize(Message message) {
        long max = link.connection().getServerInfo() == null ? Long.MAX_VALUE : link.connection().getServerInfo().getMaxPayload();
        long size = (long) message.getData().length + (message.getHeaders() == null ? 0 : message.getHeaders().serializedLength());
        if (max > 0 && size > max) {
            throw new IllegalArgumentException("the message is " + size + " bytes with its NATS headers, more than the NATS "
                    + "server's max_payload (" + max + " bytes): raise max_payload in the server configuration, or lower "
                    + "gateway.max-message-bytes below it");
        }
    }

    private Message message(String subject, SseEvent event, long prev) {
        Headers headers = new Headers();
        headers.put(EVENT_HEADER, Tokens.headerValue(event.eventType()));
        if (event.messageId() != null) {
            headers.put(ID_HEADER, Tokens.headerValue(event.messageId()));
        }
        headers.put(PREV_HEADER, Long.toString(prev));
        return NatsMessage.builder().subject(subject).headers(headers)
                .data(event.data().getBytes(StandardCharsets.UTF_8)).build();
    }

    /**
     * The stream is expected to be the configured one, the channel's last sequence {@code prev} (so that
     * {@value #PREV_HEADER} is true), and the business id — scoped to the channel, since JetStream remembers ids per
     * stream — is the {@code Nats-Msg-Id}.
     */
    private PublishOptions options(String subject, SseEvent event, long prev) {
        PublishOptions.Builder options = PublishOptions.builder().expectedStream(settings.stream())
                .expectedLastSubjectSequence(prev);
        if (event.messageId() != null) {
            options.messageId(msgIdOf(subject, event.messageId()));
        }
        return options.build();
    }

    /** The {@code Nats-Msg-Id} of a business id on a subject: {@code <subject>:<encoded business id>}. */
    static String msgIdOf(String subject, String businessId) {
        return subject + ":" + Tokens.headerValue(businessId);
    }

    private long lastSequenceOf(String subject) throws IOException, JetStreamApiException {
        try {
            return link.management().getLastMessage(settings.stream(), subject).getSeq();
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NO_MESSAGE) {
                return 0;
            }
            throw e;
        }
    }

    private MessageInfo at(long sequence) throws IOException, JetStreamApiException {
        try {
            return link.management().getMessage(settings.stream(), sequence);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NO_MESSAGE) {
                return null;
            }
            throw e;
        }
    }

    private MessageInfo nextOn(String subject, long fromSequence) throws IOException, JetStreamApiException {
        try {
            return link.management().getNextMessage(settings.stream(), fromSequence, subject);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NO_MESSAGE) {
                return null;
            }
            throw e;
        }
    }

    private static long prevOf(MessageInfo info) {
        String prev = info.getHeaders() == null ? null : info.getHeaders().getFirst(PREV_HEADER);
        return prev == null ? -1 : parse(prev);
    }

    private void remember(String subject, long sequence) {
        if (lastSequences.size() >= MAX_REMEMBERED_CHANNELS) {
            lastSequences.clear();
        }
        lastSequences.put(subject, sequence);
    }

    private void requireConnected(String what) {
        if (!link.isConnected()) {
            throw new StorageException("NATS " + settings.display() + " is not connected: cannot " + what);
        }
    }

    private static boolean hasLineBreak(String value) {
        return value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0;
    }
}
