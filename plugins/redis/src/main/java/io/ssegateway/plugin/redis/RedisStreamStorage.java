package io.ssegateway.plugin.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.ssegateway.kit.StreamIdOrder;
import io.ssegateway.redis.KeyLayout;
import io.ssegateway.redis.LuaScript;
import io.ssegateway.redis.RedisLink;
import io.ssegateway.redis.RedisSettings;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageException;
import io.ssegateway.spi.storage.StorageFactory;
import io.ssegateway.spi.storage.StorageTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Replay history in Redis Streams, shared by every gateway instance on the same Redis
 * ({@code gateway.storage.type: redis}).
 * <p>
 * A channel's events live in the stream {@code <key-prefix>stream:<channel>} (fields {@code event_type},
 * {@code data}, {@code id} = business id if any, {@code prev} = the previous entry's id), trimmed with
 * {@code XADD MAXLEN ~ <max-len>} and expiring after {@code ttl} without appends. Stream ids are assigned by Redis,
 * so they increase per channel whatever the number of instances. Appending is idempotent on the business id while its
 * event is retained, through the hash {@code <key-prefix>ids:<channel>} (business id → stream id, same TTL), checked
 * and written atomically with the append by one Lua script ({@code publish.lua}, the same script external publishers
 * run).
 * <p>
 * On a Redis Cluster ({@code key-layout: cluster}) the keys are {@code <key-prefix>stream:{<channel>}} and
 * {@code <key-prefix>ids:{<channel>}}: the channel is their hash tag, so both live in one slot and the script stays
 * single-slot.
 * <p>
 * Acknowledged means replicated: with {@code replica-acks} above 0 (the default on a cluster or through Sentinel), an
 * append returns its stream id only once that many replicas confirmed it ({@code WAIT}, at most
 * {@code replica-ack-timeout}); otherwise it fails as a timeout (the entry may be kept or lost in a failover, and a
 * retry with the same business id is safe). So a failover to a replica loses no acknowledged message.
 * <p>
 * Replay after an id: the events after it if it is retained, or if it is exactly the entry trimmed last (the oldest
 * retained entry names it); otherwise (older than the history, never issued, malformed, stream expired) a gap with
 * everything retained.
 */
public final class RedisStreamStorage implements MessageStorage {

    public static final int DEFAULT_MAX_LEN = 1000;
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    public static final String DEFAULT_KEY_PREFIX = "sse:";

    private static final Logger LOG = Logger.getLogger(RedisStreamStorage.class.getName());
    /** Also the script external publishers run: it ships in the zip's {@code scripts/}. */
    static final LuaScript PUBLISH_SCRIPT = LuaScript.load(RedisStreamStorage.class, "/scripts/redis/publish.lua");
    private static final LuaScript REPLAY_SCRIPT = LuaScript.load(RedisStreamStorage.class, "replay.lua");

    private final RedisLink link;
    private final int maxLen;
    private final Duration ttl;
    private final String keyPrefix;
    private final KeyLayout keyLayout;
    private final int replicaAcks;
    private final Duration replicaAckTimeout;
    private final AtomicLong skippedEntries = new AtomicLong();

    /** What the publish script did: the stream id, and whether it stored (and published) a new entry. */
    record Stored(String streamId, boolean isNew) {
    }

    RedisStreamStorage(RedisSettings settings, int maxLen, Duration ttl, String keyPrefix) {
        this(settings, maxLen, ttl, keyPrefix, 0, settings.timeout().dividedBy(2));
    }

    RedisStreamStorage(RedisSettings settings, int maxLen, Duration ttl, String keyPrefix, int replicaAcks,
                       Duration replicaAckTimeout) {
        this.maxLen = maxLen;
        this.ttl = ttl;
        this.keyPrefix = keyPrefix;
        this.keyLayout = settings.keyLayout();
        this.replicaAcks = replicaAcks;
        this.replicaAckTimeout = replicaAckTimeout;
        this.link = new RedisLink(settings, "stream storage").connect();
        if (!link.awaitFirstAttempt(settings.timeout().plusSeconds(5))) {
            LOG.warning("Redis " + settings.display() + " is not reachable yet; the storage reports itself unavailable "
                    + "(and /ready answers 503) until it is");
        }
    }

    @Override
    public String append(String channelId, SseEvent event) {
        return store(channelId, event, "").streamId();
    }

    /**
     * Appends idempotently and, if the event is new and {@code pubsubChannel} is not empty, publishes it there with
     * its stream id — in one atomic script, so that Pub/Sub order is stream-id order.
     *
     * @throws StorageException Redis is unreachable, timed out or refused
     */
    Stored store(String channelId, SseEvent event, String pubsubChannel) {
        String[] keys = {streamKey(channelId), indexKey(channelId)};
        try {
            Stored stored = link.callOn(keys[0], redis -> {
                List<Object> reply = PUBLISH_SCRIPT.run(redis, ScriptOutputType.MULTI, keys, pubsubChannel,
                        event.eventType(), event.data(), event.messageId() == null ? "" : event.messageId(),
                        Integer.toString(maxLen), Long.toString(ttl.toMillis()));
                if (replicaAcks > 0) {
                    // WAIT counts the replicas that have every write this connection sent so far, this one included
                    long acks = redis.waitForReplication(replicaAcks, replicaAckTimeout.toMillis());
                    if (acks < replicaAcks) {
                        throw new ReplicaAcksMissing(reply.get(0) + " is on the master, but " + acks + " of "
                                + replicaAcks + " replicas confirmed it within " + replicaAckTimeout.toMillis()
                                + " ms (replica-acks); it could be lost in a failover. Sending it again with the same id "
                                + "is safe");
                    }
                }
                return new Stored((String) reply.get(0), ((Long) reply.get(1)) == 1L);
            });
            return stored;
        } catch (ReplicaAcksMissing e) {
            throw new StorageTimeoutException("Redis append to " + keys[0] + ": " + e.getMessage(), e);
        } catch (RedisCommandTimeoutException e) {
            // the script may still run once Redis answers: the message may be stored (a retry with its id is safe)
            throw new StorageTimeoutException("Redis append to " + keys[0] + " timed out: " + e.getMessage(), e);
        } catch (RedisException e) {
            throw new StorageException("Redis append to " + keys[0] + " failed: " + e.getMessage(), e);
        }
    }

    /** Too few replicas confirmed an append in time. */
    private static final class ReplicaAcksMissing extends RuntimeException {
        ReplicaAcksMissing(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Replay messagesAfter(String channelId, String lastEventId, int maxBytes) {
        String stream;
        try {
            stream = streamKey(channelId);
        } catch (IllegalArgumentException e) {
            throw new StorageException(e.getMessage(), e);
        }
        String asked = EARLIEST.equals(lastEventId) ? "" : StreamIds.canonical(lastEventId);
        try {
            List<Object> reply = link.callOn(stream, redis -> REPLAY_SCRIPT.run(redis, ScriptOutputType.MULTI,
                    new String[] {stream}, asked == null ? "?" : asked, Integer.toString(Math.max(1, maxBytes))));
            List<SseEvent> events = new ArrayList<>();
            for (Object entry : (List<?>) reply.get(1)) {
                List<?> idAndFields = (List<?>) entry;
                addEvent(events, stream, (String) idAndFields.get(0), fieldsOf((List<?>) idAndFields.get(1)));
            }
            boolean more = ((Long) reply.get(2)) == 1L && !events.isEmpty();
            return ((Long) reply.get(0)) == 1L ? Replay.complete(events, more) : Replay.gap(events, more);
        } catch (RedisException e) {
            throw new StorageException("Redis replay of " + stream + " failed: " + e.getMessage(), e);
        }
    }

    /** The newest entry's id ({@code XREVRANGE … COUNT 1}): one round trip, whatever the history's length. */
    @Override
    public String lastId(String channelId) {
        String stream;
        try {
            stream = streamKey(channelId);
        } catch (IllegalArgumentException e) {
            throw new StorageException(e.getMessage(), e); // a channel the cluster layout cannot name
        }
        try {
            List<StreamMessage<String, String>> newest = link.call(redis ->
                    redis.xrevrange(stream, Range.create("-", "+"), Limit.from(1)));
            return newest.isEmpty() ? null : newest.get(0).getId();
        } catch (RedisException e) {
            throw new StorageException("Redis read of the last id of " + stream + " failed: " + e.getMessage(), e);
        }
    }

    /** Redis stream ids, {@code <ms>-<seq>}, in numeric order. */
    @Override
    public int compareIds(String a, String b) {
        return StreamIdOrder.compare(a, b);
    }

    @Override
    public boolean isAvailable() {
        return link.isAvailable();
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void close() {
        link.close();
    }

    RedisSettings settings() {
        return link.settings();
    }

    /** {@code <key-prefix>stream:<channel>}, or {@code <key-prefix>stream:{<channel>}} in the cluster layout. */
    String streamKey(String channelId) {
        return keyLayout.key(keyPrefix, "stream:", channelId);
    }

    /** {@code <key-prefix>ids:<channel>}, or {@code <key-prefix>ids:{<channel>}} in the cluster layout. */
    String indexKey(String channelId) {
        return keyLayout.key(keyPrefix, "ids:", channelId);
    }

    int replicaAcks() {
        return replicaAcks;
    }

    int maxLen() {
        return maxLen;
    }

    Duration ttl() {
        return ttl;
    }

    private static Map<String, String> fieldsOf(List<?> flat) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return fields;
    }

    /** Adds an entry as an event, skipping (with a log line) one that was not written by the gateway's rules. */
    private void addEvent(List<SseEvent> events, String stream, String id, Map<String, String> fields) {
        String eventType = fields.get("event_type");
        String data = fields.get("data");
        String messageId = fields.get("id");
        if (eventType == null || eventType.isEmpty() || data == null || hasLineBreak(eventType)
                || (messageId != null && hasLineBreak(messageId))) {
            long skipped = skippedEntries.incrementAndGet();
            if (skipped == 1 || skipped % 1000 == 0) {
                LOG.warning("Skipped stream entry " + id + " of " + stream + " in a replay: it lacks event_type or data,"
                        + " or has CR, LF or NUL in event_type or id (" + skipped + " skipped so far)");
            }
            return;
        }
        events.add(new SseEvent(id, eventType, data, messageId));
    }

    private static boolean hasLineBreak(String value) {
        return value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0;
    }

    /**
     * {@code gateway.storage.type: redis}; node {@code gateway.storage.redis}: {@code url}, {@code timeout},
     * {@code reconnect-max-delay}, {@code key-layout}, {@code cluster-refresh-period} (see {@link RedisSettings}),
     * {@code max-len} (default 1000), {@code ttl} (default 1h), {@code key-prefix} (default {@code sse:}),
     * {@code replica-acks} ({@code auto}: 1 on a cluster or through Sentinel, 0 on a single server),
     * {@code replica-ack-timeout} (default half the {@code timeout}, and below it).
     */
    public static final class Factory implements StorageFactory {
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
        public MessageStorage create(PluginConfig config) {
            RedisSettings settings = RedisSettings.from(config, "url");
            int maxLen = config.getInt("max-len", DEFAULT_MAX_LEN);
            if (maxLen < 1) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("max-len") + " must be at least 1");
            }
            Duration ttl = config.getDuration("ttl", DEFAULT_TTL);
            if (ttl.toMillis() < 1) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("ttl")
                        + " must be positive (streams expire after this much silence)");
            }
            String keyPrefix = config.get("key-prefix", DEFAULT_KEY_PREFIX);
            if (keyPrefix.isBlank()) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("key-prefix") + " must not be blank");
            }
            if (settings.keyLayout() == KeyLayout.CLUSTER && (keyPrefix.contains("{") || keyPrefix.contains("}"))) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("key-prefix") + " must not "
                        + "contain { or } in the cluster key layout: the channel is the keys' hash tag");
            }
            String acksValue = config.get("replica-acks", "auto").trim();
            int replicaAcks;
            if (acksValue.equals("auto")) {
                replicaAcks = settings.isCluster() || settings.isSentinel() ? 1 : 0;
            } else {
                replicaAcks = config.getInt("replica-acks", 0);
                if (replicaAcks < 0) {
                    throw new IllegalArgumentException("configuration key " + config.keyOf("replica-acks")
                            + " must be auto or a number of replicas, at least 0");
                }
            }
            Duration ackTimeout = config.getDuration("replica-ack-timeout", settings.timeout().dividedBy(2));
            if (ackTimeout.toMillis() < 1 || ackTimeout.compareTo(settings.timeout()) >= 0) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("replica-ack-timeout")
                        + " must be positive and below " + config.keyOf("timeout") + " (" + settings.timeout().toMillis()
                        + " ms), which bounds the WAIT command too");
            }
            String example = settings.keyLayout().key(keyPrefix, "stream:", "<channel>");
            LOG.info("Redis stream storage on " + settings.display() + ": keys " + example + " (key layout "
                    + settings.keyLayout().configName() + "), max-len ~" + maxLen + ", ttl " + ttl
                    + (replicaAcks > 0 ? ", acknowledged once " + replicaAcks + " replica(s) confirmed (WAIT "
                    + ackTimeout.toMillis() + " ms)" : ", acknowledged by the master alone"));
            return new RedisStreamStorage(settings, maxLen, ttl, keyPrefix, replicaAcks, ackTimeout);
        }
    }
}
