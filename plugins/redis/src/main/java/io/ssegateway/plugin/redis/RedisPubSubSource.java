package io.ssegateway.plugin.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.ssegateway.redis.Backoff;
import io.ssegateway.redis.RedisLink;
import io.ssegateway.redis.RedisSettings;
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
import io.ssegateway.spi.storage.StorageException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Messages from Redis Pub/Sub, and the bus that carries {@code POST /api/send} to every instance
 * ({@code gateway.source.type: redis}).
 * <p>
 * Subscribes to {@code <channel-prefix>*} (default {@code sse:*}): {@code sse:<channel>} targets that channel,
 * {@code sse:broadcast} every connection. Payloads are described in {@link BusMessage}. With an empty prefix (the
 * original gateway's mode) it subscribes to every Pub/Sub channel of the Redis server, each naming its SSE channel,
 * and {@code broadcast-channel} (default {@code broadcast}) is the one that reaches everyone.
 * <p>
 * <b>One message, every instance, stored once.</b> When the gateway's storage is the {@link RedisStreamStorage} on the
 * same Redis (the {@linkplain #attach shared mode}), a message is stored and published by one atomic script
 * ({@code publish.lua}): it appends to the channel's stream (once per business id) and publishes the message with its
 * {@code stream_id}. Every instance, the sender included, delivers what arrives from Pub/Sub in arrival order — which
 * is stream-id order, since scripts run one at a time — with that stream id, and stores nothing. What arrives:
 * <ul>
 *   <li>with {@code stream_id}: delivered with it (not stored again);</li>
 *   <li>without {@code stream_id} but with an {@code id} (a plain {@code PUBLISH} by an external publisher): each
 *       instance runs the publish script for it; the first stores it and publishes it with its stream id, the others
 *       find the id already stored and do nothing; everyone delivers the published copy. Stored once, same id, in
 *       stream-id order;</li>
 *   <li>with neither: delivered live on every instance without an id, not stored (it cannot be stored once without
 *       an id to agree on);</li>
 *   <li>broadcasts: delivered to every connection, never stored.</li>
 * </ul>
 * With any other storage (memory, noop: the {@linkplain #attach local mode}) the bus only carries messages: each
 * instance stores what it receives in its own storage (appending idempotently on the business id; {@code /api/send}
 * gives every message one), and {@code stream_id}s from Redis are ignored.
 * <p>
 * Outages: when the subscription is lost (or does not answer a {@code PING} within {@code timeout}), the source reports
 * itself unavailable and subscribes again with jittered exponential back-off until Redis is back; it never gives up.
 * {@link #start} returns within about a second of cancellation, and then releases the Redis client (the source has
 * no other end of life).
 */
public final class RedisPubSubSource implements BusSource {

    public static final String DEFAULT_CHANNEL_PREFIX = "sse:";
    public static final int DEFAULT_QUEUE_SIZE = 10_000;
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(5);

    private static final Logger LOG = Logger.getLogger(RedisPubSubSource.class.getName());

    private final RedisSettings settings;
    private final String urlKey;
    private final String channelPrefix;
    private final String pattern;
    private final String broadcastChannel;
    private final Duration pingInterval;
    private RedisLink link;
    private boolean stopped;
    private final BlockingQueue<Received> inbox;
    private final AtomicLong droppedOverflow = new AtomicLong();
    private final AtomicLong droppedInvalid = new AtomicLong();
    private final AtomicLong deliveredUnstored = new AtomicLong();
    private volatile RedisStreamStorage sharedStorage;
    private volatile boolean subscribed;
    private volatile CountDownLatch subscriptionLost = new CountDownLatch(0);
    private volatile StatefulRedisPubSubConnection<String, String> current;

    /** A message as it came from Pub/Sub. */
    private record Received(String channel, String payload) {
    }

    RedisPubSubSource(RedisSettings settings, String urlKey, String channelPrefix, String pattern,
                      String broadcastChannel, int queueSize, Duration pingInterval) {
        this.settings = settings;
        this.urlKey = urlKey;
        this.channelPrefix = channelPrefix;
        this.pattern = pattern;
        this.broadcastChannel = broadcastChannel;
        this.pingInterval = pingInterval;
        this.inbox = new ArrayBlockingQueue<>(queueSize);
    }

    /** The Redis client resources and command connection, made on first use (so a source never started holds none). */
    private synchronized RedisLink link() {
        if (stopped) {
            throw new RedisException("the Redis source has stopped");
        }
        if (link == null) {
            link = new RedisLink(settings, "pub/sub source").connect();
        }
        return link;
    }

    @Override
    public String name() {
        return "redis";
    }

    /** Subscribed to the pattern right now. */
    @Override
    public boolean isAvailable() {
        return subscribed;
    }

    /**
     * Shared mode if {@code storage} is a {@link RedisStreamStorage}, which must then be on the same Redis server and
     * database (the script that stores also publishes); local mode otherwise.
     *
     * @throws IllegalArgumentException a Redis storage on another server or database
     */
    @Override
    public StoringMode attach(MessageStorage storage) {
        if (storage instanceof RedisStreamStorage redis) {
            if (!redis.settings().sameServer(settings)) {
                throw new IllegalArgumentException(urlKey + " (" + settings.display() + ") and the Redis storage's url ("
                        + redis.settings().display() + ") must name the same Redis server and database: one script "
                        + "stores a message in the storage's stream and publishes it on the source's Pub/Sub. Give both "
                        + "the same url (REDIS_URL sets both)");
            }
            sharedStorage = redis;
            LOG.info("Redis source in shared mode: messages are stored once in " + redis.streamKey("<channel>")
                    + " and delivered by every instance with the same id");
            return StoringMode.BUS_STORES;
        }
        sharedStorage = null;
        LOG.info("Redis source in local mode: the storage '" + storage.name() + "' is not the Redis one, so each "
                + "instance stores the messages it receives in its own storage");
        return StoringMode.EACH_INSTANCE_STORES;
    }

    @Override
    public String publish(IncomingMessage message) {
        if (message.isBroadcast()) {
            link().call(redis -> redis.publish(broadcastChannel, BusMessage.json(message.eventType(), message.data(), message.messageId())));
            return null;
        }
        String pubsubChannel = pubsubChannelOf(message.channelId());
        RedisStreamStorage shared = sharedStorage;
        if (shared != null) {
            SseEvent event = new SseEvent(null, message.eventType(), message.data(), message.messageId());
            return shared.store(message.channelId(), event, pubsubChannel).streamId();
        }
        // local mode: every instance stores what it receives (the gateway gave the message a business id)
        link().call(redis -> redis.publish(pubsubChannel, BusMessage.json(message.eventType(), message.data(), message.messageId())));
        return null;
    }

    @Override
    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel) throws Exception {
        RedisLink.PubSubClient client = link().newPubSubClient();
        client.client().addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (connection == current) {
                    subscriptionLost.countDown();
                }
            }
        });
        cancel.onCancel(() -> subscriptionLost.countDown());
        AtomicBoolean running = new AtomicBoolean(true);
        Thread dispatcher = Thread.ofVirtual().name("redis-source-dispatch").start(() -> dispatchLoop(handler, running));
        Backoff backoff = new Backoff(settings.reconnectMaxDelay());
        int failures = 0;
        try {
            while (!cancel.isCancelled()) {
                Attempt attempt = subscribeUntilLost(client, cancel);
                if (cancel.isCancelled()) {
                    break;
                }
                if (attempt.subscribed()) {
                    backoff.reset();
                    failures = 0;
                }
                failures++;
                Duration delay = backoff.next();
                LOG.log(failures == 1 || failures % 100 == 0 ? Level.WARNING : Level.FINE, "Redis subscription to "
                        + pattern + " on " + settings.display() + (attempt.subscribed() ? " lost" : " failed (attempt "
                        + failures + ")") + (attempt.problem() == null ? "" : ": " + attempt.problem())
                        + "; subscribing again in " + delay.toMillis() + " ms");
                if (cancel.await(delay)) {
                    break;
                }
            }
        } finally {
            subscribed = false;
            running.set(false);
            dispatcher.join(Duration.ofSeconds(1));
            client.shutdown();
            if (cancel.isCancelled()) {
                closeLink();
            }
        }
    }

    /** How a subscription attempt ended: whether it was established, and what went wrong ({@code null} if nothing). */
    private record Attempt(boolean subscribed, String problem) {
    }

    /**
     * Connects, subscribes, and holds the subscription until it is lost, stops answering {@code PING}, or the source is
     * cancelled.
     */
    private Attempt subscribeUntilLost(RedisLink.PubSubClient client, CancellationToken cancel) throws InterruptedException {
        StatefulRedisPubSubConnection<String, String> connection = null;
        CountDownLatch lost = new CountDownLatch(1);
        subscriptionLost = lost;
        boolean established = false;
        if (cancel.isCancelled()) {
            return new Attempt(false, null);
        }
        try {
            connection = client.connect();
            current = connection;
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    receive(channel, message);
                }
            });
            connection.sync().psubscribe(pattern);
            if (!connection.isOpen()) {
                return new Attempt(false, "the connection closed while subscribing");
            }
            established = true;
            subscribed = true;
            LOG.info("Subscribed to " + pattern + " on Redis " + settings.display());
            while (!lost.await(pingInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    connection.async().ping().get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    return new Attempt(true, "no answer to PING within " + settings.timeout().toMillis() + " ms");
                }
            }
            return new Attempt(true, cancel.isCancelled() ? null : "the connection closed");
        } catch (RedisException e) {
            return new Attempt(established, RedisLink.describe(e));
        } finally {
            subscribed = false;
            current = null;
            if (connection != null) {
                connection.close();
            }
        }
    }

    /** On a Lettuce I/O thread: never block, hand over in arrival order. */
    private void receive(String channel, String payload) {
        if (!inbox.offer(new Received(channel, payload))) {
            long dropped = droppedOverflow.incrementAndGet();
            if (dropped == 1 || dropped % 1000 == 0) {
                LOG.warning("Dropped a message from Redis channel " + channel + ": " + inbox.size()
                        + " messages are waiting for the gateway (queue-size); " + dropped + " dropped so far");
            }
        }
    }

    /** Hands received messages to the gateway one at a time, in arrival order, until {@code running} is cleared. */
    private void dispatchLoop(MessageHandler handler, AtomicBoolean running) {
        try {
            while (running.get()) {
                Received received = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (received != null) {
                    dispatch(handler, received);
                }
            }
        } catch (InterruptedException stopping) {
            // the source is stopping
        }
    }

    private synchronized void closeLink() {
        stopped = true;
        if (link != null) {
            link.close();
            link = null;
        }
    }

    /** One message from Pub/Sub to the gateway; never throws, so that no message ends the subscription. */
    private void dispatch(MessageHandler handler, Received received) {
        IncomingMessage message;
        BusMessage parsed;
        try {
            parsed = BusMessage.parse(received.payload());
            String channelId = channelOf(received.channel());
            if (parsed.streamId() != null && StreamIds.canonical(parsed.streamId()) == null) {
                throw new BusMessage.Invalid("stream_id '" + parsed.streamId() + "' is not a Redis stream id");
            }
            message = (channelId == null
                    ? IncomingMessage.broadcast(parsed.eventType(), parsed.data())
                    : IncomingMessage.toChannel(channelId, parsed.eventType(), parsed.data())).withMessageId(parsed.id());
        } catch (BusMessage.Invalid e) {
            long dropped = droppedInvalid.incrementAndGet();
            LOG.log(dropped == 1 || dropped % 1000 == 0 ? Level.WARNING : Level.FINE, "Dropped an invalid message from "
                    + "Redis channel " + received.channel() + " (" + e.getMessage() + "); " + dropped + " dropped so far");
            return;
        }
        try {
            RedisStreamStorage shared = sharedStorage;
            if (message.isBroadcast() || shared == null) {
                // Pub/Sub will not bring it again: if the storage fails, whoever is online still gets it
                handler.handle(message, IfStorageFails.DELIVER_UNSTORED);
            } else if (parsed.streamId() != null) {
                handler.handle(message.withStreamId(parsed.streamId()), IfStorageFails.DELIVER_UNSTORED);
            } else if (message.messageId() != null) {
                storeOnce(handler, shared, message, received.channel());
            } else {
                long count = deliveredUnstored.incrementAndGet();
                if (count == 1 || count % 1000 == 0) {
                    LOG.info("A message on Redis channel " + received.channel() + " has neither stream_id nor id: "
                            + "delivered live on every instance but not stored. Give it an id, or publish with "
                            + "publish.lua, to make it replayable (" + count + " such messages so far)");
                }
                handler.handle(message.liveOnly(), IfStorageFails.DELIVER_UNSTORED);
            }
        } catch (IllegalArgumentException invalid) {
            // invalid for the gateway (CR/LF in event type, channel id too long...): it logged and counted it
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not deliver a message from Redis channel " + received.channel(), e);
        }
    }

    /**
     * A plain message with a business id, in shared mode: store it through the publish script, which publishes it
     * with its stream id if this instance is the first to store it. That copy is what every instance delivers.
     */
    private void storeOnce(MessageHandler handler, RedisStreamStorage shared, IncomingMessage message, String pubsubChannel) {
        handler.validate(message);
        try {
            shared.store(message.channelId(), new SseEvent(null, message.eventType(), message.data(), message.messageId()),
                    pubsubChannel);
        } catch (StorageException e) {
            LOG.warning("Could not store a message from Redis channel " + pubsubChannel + " through the publish script ("
                    + e.getMessage() + "); handing it to the gateway on this instance alone");
            handler.handle(message, IfStorageFails.DELIVER_UNSTORED);
        }
    }

    /** The gateway channel of a Pub/Sub channel; {@code null} for the broadcast channel. */
    private String channelOf(String pubsubChannel) throws BusMessage.Invalid {
        if (pubsubChannel.equals(broadcastChannel)) {
            return null;
        }
        if (!pubsubChannel.startsWith(channelPrefix)) {
            throw new BusMessage.Invalid("the channel does not start with " + channelPrefix);
        }
        return pubsubChannel.substring(channelPrefix.length());
    }

    private String pubsubChannelOf(String channelId) {
        String pubsubChannel = channelPrefix + channelId;
        if (pubsubChannel.equals(broadcastChannel)) {
            throw new IllegalArgumentException("channel_id '" + channelId + "' cannot be used with the Redis source: "
                    + broadcastChannel + " is its broadcast channel");
        }
        return pubsubChannel;
    }

    /**
     * {@code gateway.source.type: redis}; node {@code gateway.source.redis}: {@code url}, {@code timeout},
     * {@code reconnect-max-delay} (see {@link RedisSettings}), {@code channel-prefix} (default {@code sse:}),
     * {@code pattern} (default {@code <channel-prefix>*}), {@code broadcast-channel} (default
     * {@code <channel-prefix>broadcast}), {@code queue-size} (default 10000), {@code ping-interval} (default 5s).
     */
    public static final class Factory implements SourceFactory {
        @Override
        public String name() {
            return "redis";
        }

        /** The original gateway's environment names for this plugin's settings. */
        @Override
        public Map<String, String> environmentAliases() {
            return Map.of("REDIS_URL", "url");
        }

        @Override
        public MessageSource create(PluginConfig config) {
            RedisSettings settings = RedisSettings.from(config, "url");
            String channelPrefix = config.get("channel-prefix", DEFAULT_CHANNEL_PREFIX);
            String pattern = config.get("pattern", channelPrefix + "*");
            if (!pattern.startsWith(channelPrefix)) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("pattern") + ": '" + pattern
                        + "' must start with the channel prefix '" + channelPrefix + "' (" + config.keyOf("channel-prefix") + ")");
            }
            String broadcastChannel = config.get("broadcast-channel", channelPrefix + "broadcast");
            if (broadcastChannel.isBlank()) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("broadcast-channel") + " must not be blank");
            }
            int queueSize = config.getInt("queue-size", DEFAULT_QUEUE_SIZE);
            if (queueSize < 1) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("queue-size") + " must be at least 1");
            }
            Duration pingInterval = config.getDuration("ping-interval", DEFAULT_PING_INTERVAL);
            if (pingInterval.toMillis() < 100) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("ping-interval") + " must be at least 100ms");
            }
            LOG.info("Redis source on " + settings.display() + ": pattern " + pattern + ", broadcasts on " + broadcastChannel);
            if (channelPrefix.isEmpty()) {
                LOG.warning(config.keyOf("channel-prefix") + " is empty (the original gateway's mode): every message "
                        + "published on a Pub/Sub channel matching " + pattern + " on " + settings.display()
                        + " (Pub/Sub spans every database) reaches every gateway instance and is read as a message for "
                        + "the SSE channel of that name, other applications' messages included; the channel '"
                        + broadcastChannel + "' (" + config.keyOf("broadcast-channel") + ") reaches every connection");
            }
            return new RedisPubSubSource(settings, config.keyOf("url"), channelPrefix, pattern, broadcastChannel,
                    queueSize, pingInterval);
        }
    }
}
