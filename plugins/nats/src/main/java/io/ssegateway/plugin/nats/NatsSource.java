package io.ssegateway.plugin.nats;

import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StreamState;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.source.BusSource;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.source.SourceFactory;
import io.ssegateway.spi.storage.MessageStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Messages from a NATS JetStream stream, and the bus that carries {@code POST /api/send} to every instance
 * ({@code gateway.source.type: nats}).
 * <p>
 * Every instance reads the whole stream ({@code <subject-prefix>.>}) through an <em>ordered ephemeral consumer</em> of
 * its own, from the stream's end at start-up, and delivers each message to its subscribers of that channel. After a
 * lost connection, a missed heartbeat or a NATS restart it consumes again from the sequence after the last one it
 * delivered, so nothing stored meanwhile is skipped. Broadcasts travel on the plain subject {@code broadcast-subject}
 * (default {@code <subject-prefix>-broadcast}, outside the stream: never stored).
 * <p>
 * <b>Stored once, delivered everywhere.</b> With the NATS storage on the same stream ({@link StoringMode#BUS_STORES})
 * {@code /api/send} stores the message in the stream (idempotently on its business id) and every instance delivers
 * what its consumer receives under the message's stream sequence, storing nothing. With another storage
 * ({@link StoringMode#EACH_INSTANCE_STORES}) the stream only carries the messages: each instance stores them in its
 * own storage.
 */
public final class NatsSource implements BusSource {

    private static final Logger LOG = Logger.getLogger(NatsSource.class.getName());
    /** How often the ordered consumer's server sends a heartbeat when idle; three missed ones mean it is gone. */
    private static final Duration IDLE_HEARTBEAT = Duration.ofSeconds(1);
    private static final Object RESUBSCRIBE = new Object();

    private final NatsSettings settings;
    private final String broadcastSubject;
    private final LinkedBlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    private final AtomicBoolean listening = new AtomicBoolean();
    private final AtomicLong droppedInvalid = new AtomicLong();
    private volatile ChannelLog log;
    private volatile boolean ownLink;
    private volatile boolean shared;
    private volatile boolean subscribed;
    /** The connection epoch the current subscription was made in: after a disconnection it is stale until renewed. */
    private volatile long subscribedEpoch = -1;
    /** The stream sequence to deliver next; 0 until the first subscription. Touched by the dispatcher thread. */
    private volatile long nextSequence;

    NatsSource(NatsSettings settings, String broadcastSubject) {
        this.settings = settings;
        this.broadcastSubject = broadcastSubject;
    }

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public boolean isAvailable() {
        ChannelLog current = log;
        return subscribed && current != null && current.link().isAvailable() && current.link().epoch() == subscribedEpoch;
    }

    @Override
    public StoringMode attach(MessageStorage storage) {
        if (storage instanceof NatsStreamStorage nats) {
            if (!nats.settings().sameStreamAs(settings)) {
                throw new IllegalArgumentException("the NATS source and the NATS storage must use the same servers, "
                        + "stream and subjects: " + settings.keyOf("url") + "/" + settings.keyOf("stream") + "/"
                        + settings.keyOf("subject-prefix") + " (" + settings.display() + ", " + settings.stream() + ", "
                        + settings.subjectPrefix() + ") differ from " + nats.settings().keyOf("url") + "/"
                        + nats.settings().keyOf("stream") + "/" + nats.settings().keyOf("subject-prefix") + " ("
                        + nats.settings().display() + ", " + nats.settings().stream() + ", " + nats.settings().subjectPrefix()
                        + "); NATS_URL sets both urls");
            }
            synchronized (this) {
                log = nats.log();
                ownLink = false;
            }
            shared = true;
            LOG.info("NATS source in shared mode: messages are stored once in the stream " + settings.stream()
                    + " and delivered by every instance with their stream sequence as id");
            return StoringMode.BUS_STORES;
        }
        shared = false;
        LOG.info("NATS source in local mode: the storage '" + storage.name() + "' is not the NATS one, so each instance "
                + "stores the messages it receives in its own storage");
        return StoringMode.EACH_INSTANCE_STORES;
    }

    @Override
    public String publish(IncomingMessage message) {
        ChannelLog current = log();
        if (message.isBroadcast()) {
            if (!current.link().isConnected()) {
                throw new IllegalStateException("NATS " + settings.display() + " is not connected");
            }
            Headers headers = new Headers().put(ChannelLog.EVENT_HEADER, Tokens.headerValue(message.eventType()));
            NatsMessage broadcast = NatsMessage.builder().subject(broadcastSubject).headers(headers)
                    .data(message.data().getBytes(StandardCharsets.UTF_8)).build();
            current.checkSize(broadcast);
            current.link().connection().publish(broadcast);
            return null;
        }
        long sequence = current.append(message.channelId(),
                new SseEvent(null, message.eventType(), message.data(), message.messageId()));
        return shared ? Long.toString(sequence) : null;
    }

    @Override
    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel) throws Exception {
        NatsLink link = log().link();
        if (listening.compareAndSet(false, true)) {
            link.onReconnect(() -> signals.offer(RESUBSCRIBE));
            link.onHeartbeatAlarm(() -> signals.offer(RESUBSCRIBE));
        }
        cancel.onCancel(() -> signals.offer(RESUBSCRIBE));
        Dispatcher dispatcher = link.connection().createDispatcher();
        dispatcher.subscribe(broadcastSubject, message -> onBroadcast(handler, message));
        Duration wait = Duration.ofMillis(100);
        try {
            while (!cancel.isCancelled()) {
                JetStreamSubscription subscription;
                try {
                    subscribedEpoch = link.epoch();
                    subscription = subscribe(link, dispatcher, handler);
                } catch (IOException | JetStreamApiException | IllegalStateException e) {
                    LOG.log(Level.FINE, "NATS consumer on " + settings.stream() + " not created (" + e.getMessage()
                            + "); trying again in " + wait.toMillis() + " ms");
                    if (cancel.await(wait)) {
                        break;
                    }
                    wait = wait.multipliedBy(2).compareTo(settings.reconnectWait()) > 0 ? settings.reconnectWait() : wait.multipliedBy(2);
                    continue;
                }
                wait = Duration.ofMillis(100);
                signals.clear();
                subscribed = true;
                // consuming on the dispatcher's thread until a signal (reconnected, heartbeats missed, cancelled), or
                // until the connection changed without one reaching us
                while (!cancel.isCancelled() && link.epoch() == subscribedEpoch
                        && signals.poll(200, TimeUnit.MILLISECONDS) == null) {
                    Thread.onSpinWait();
                }
                subscribed = false;
                try {
                    dispatcher.unsubscribe(subscription);
                } catch (RuntimeException alreadyGone) {
                    // the connection was lost with it
                }
                if (!cancel.isCancelled()) {
                    LOG.info("NATS consumer on " + settings.stream() + " lost; consuming again from stream sequence "
                            + nextSequence);
                }
            }
        } finally {
            subscribed = false;
            try {
                link.connection().closeDispatcher(dispatcher);
            } catch (RuntimeException closing) {
                // closed with the connection
            }
            if (cancel.isCancelled() && ownLink) {
                link.close();
            }
        }
    }

    /**
     * An ordered consumer from {@link #nextSequence}: the stream's end on the first call. A stream whose last sequence
     * is below it was emptied or recreated (a NATS that lost its data): then from its first message.
     */
    private JetStreamSubscription subscribe(NatsLink link, Dispatcher dispatcher, MessageHandler handler)
            throws IOException, JetStreamApiException {
        if (!link.isConnected() || !link.ensureStream()) {
            throw new IllegalStateException("NATS " + settings.display() + " or its stream is not available");
        }
        StreamState state = link.management().getStreamInfo(settings.stream()).getStreamState();
        long start = nextSequence;
        if (start == 0) {
            start = state.getLastSequence() + 1;
        } else if (start > state.getLastSequence() + 1) {
            LOG.warning("The NATS stream " + settings.stream() + " ends at sequence " + state.getLastSequence()
                    + ", before " + start + " which this instance expected next: it was emptied or recreated. "
                    + "Consuming from its first message; clients' Last-Event-IDs from before get a gap");
            start = Math.max(1, state.getFirstSequence());
        }
        nextSequence = start;
        PushSubscribeOptions options = PushSubscribeOptions.builder()
                .stream(settings.stream())
                .ordered(true)
                .configuration(ConsumerConfiguration.builder()
                        .deliverPolicy(DeliverPolicy.ByStartSequence)
                        .startSequence(start)
                        .idleHeartbeat(IDLE_HEARTBEAT)
                        .build())
                .build();
        JetStreamSubscription subscription = link.jetStream().subscribe(settings.streamSubjects(), dispatcher,
                message -> onMessage(handler, message), false, options);
        LOG.info("Consuming the NATS stream " + settings.stream() + " (" + settings.streamSubjects() + ") on "
                + settings.display() + " from sequence " + start);
        return subscription;
    }

    /** One stream message to the gateway, on the dispatcher's thread; never throws. */
    private void onMessage(MessageHandler handler, Message message) {
        long sequence;
        try {
            sequence = message.metaData().streamSequence();
        } catch (RuntimeException notJetStream) {
            return;
        }
        if (sequence < nextSequence) {
            return; // delivered already, before a resubscription
        }
        nextSequence = sequence + 1;
        String channelId = settings.channelOf(message.getSubject());
        SseEvent event = channelId == null ? null : log.eventOf(sequence, message.getHeaders(), message.getData());
        if (event == null) {
            dropped("subject " + message.getSubject() + ", sequence " + sequence + ": "
                    + (channelId == null ? "not <prefix>.<one channel token>" : "invalid headers"));
            return;
        }
        IncomingMessage incoming = IncomingMessage.toChannel(channelId, event.eventType(), event.data())
                .withMessageId(event.messageId());
        deliver(handler, shared ? incoming.withStreamId(event.streamId()) : incoming, message.getSubject());
    }

    private void onBroadcast(MessageHandler handler, Message message) {
        Headers headers = message.getHeaders();
        String rawType = headers == null ? null : headers.getFirst(ChannelLog.EVENT_HEADER);
        String eventType = rawType == null ? null : Tokens.fromHeaderValue(rawType);
        if (rawType != null && eventType == null) {
            dropped("broadcast with an undecodable " + ChannelLog.EVENT_HEADER + " header");
            return;
        }
        String data = message.getData() == null ? "" : new String(message.getData(), StandardCharsets.UTF_8);
        deliver(handler, IncomingMessage.broadcast(eventType, data), message.getSubject());
    }

    private static void deliver(MessageHandler handler, IncomingMessage message, String subject) {
        try {
            // a consumer does not bring a message again: if the storage fails, whoever is online still gets it
            handler.handle(message, IfStorageFails.DELIVER_UNSTORED);
        } catch (IllegalArgumentException invalid) {
            // invalid for the gateway (too large, CR/LF in the event type...): it logged and counted it
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not deliver a message from NATS subject " + subject, e);
        }
    }

    private void dropped(String what) {
        long count = droppedInvalid.incrementAndGet();
        LOG.log(count == 1 || count % 1000 == 0 ? Level.WARNING : Level.FINE, "Dropped a NATS message that is not "
                + "for the gateway (" + what + "); " + count + " dropped so far");
    }

    /** The stream: the NATS storage's if attached to it, otherwise a connection of the source's own. */
    private synchronized ChannelLog log() {
        if (log == null) {
            log = new ChannelLog(new NatsLink(settings, "source"));
            ownLink = true;
        }
        return log;
    }

    /**
     * {@code gateway.source.type: nats}; node {@code gateway.source.nats}: the keys of {@link NatsSettings} (which must
     * name the same servers, stream and subjects as the NATS storage's, when the storage is NATS) and
     * {@code broadcast-subject} (default {@code <subject-prefix>-broadcast}).
     */
    public static final class Factory implements SourceFactory {
        @Override
        public String name() {
            return NatsSettings.PLUGIN_NAME;
        }

        @Override
        public Map<String, String> environmentAliases() {
            return NatsSettings.ENVIRONMENT_ALIASES;
        }

        @Override
        public MessageSource create(PluginConfig config) {
            NatsSettings settings = NatsSettings.from(config);
            String broadcastSubject = config.get("broadcast-subject", settings.subjectPrefix() + "-broadcast").trim();
            if (broadcastSubject.isEmpty() || broadcastSubject.chars().anyMatch(c -> c <= ' ' || c >= 127 || c == '*' || c == '>')
                    || broadcastSubject.startsWith(settings.subjectPrefix() + ".")) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("broadcast-subject") + ": '"
                        + broadcastSubject + "' must be a subject without wildcards outside the stream's "
                        + settings.streamSubjects());
            }
            LOG.info("NATS source: " + settings + ", broadcasts on " + broadcastSubject);
            return new NatsSource(settings, broadcastSubject);
        }
    }
}
