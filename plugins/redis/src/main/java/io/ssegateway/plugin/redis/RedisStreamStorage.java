package io.ssegateway.plugin.redis;

import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageException;
import io.ssegateway.spi.storage.StorageFactory;
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
 * Replay after an id: the events after it if it is retained, or if it is exactly the entry trimmed last (the oldest
 * retained entry names it); otherwise (older than the history, never issued, malformed, stream expired) a gap with
 * everything retained.
 */
public final class RedisStreamStorage implements MessageStorage {

    public static final int DEFAULT_MAX_LEN = 1000;
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    public static final String DEFAULT_KEY_PREFIX = "sse:";

    private static final Logger LOG = Logger.getLogger(RedisStreamStorage.class.getName());
    static final LuaScript PUBLISH_SCRIPT = LuaScript.load("publish.lua");
    private static final LuaScript REPLAY_SCRIPT = LuaScript.load("replay.lua");

    private final RedisLink link;
    private final int maxLen;
    private final Duration ttl;
    private final String keyPrefix;
    private final AtomicLong skippedEntries = new AtomicLong();

    /** What the publish script did: the stream id, and whether it stored (and published) a new entry. */
    record Stored(String streamId, boolean isNew) {
    }

    RedisStreamStorage(RedisSettings settings, int maxLen, Duration ttl, String keyPrefix) {
        this.maxLen = maxLen;
        this.ttl = ttl;
        this.keyPrefix = keyPrefix;
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
            List<Object> reply = link.call(redis -> PUBLISH_SCRIPT.run(redis, ScriptOutputType.MULTI, keys,
                    pubsubChannel, event.eventType(), event.data(), event.messageId() == null ? "" : event.messageId(),
                    Integer.toString(maxLen), Long.toString(ttl.toMillis())));
            return new Stored((String) reply.get(0), ((Long) reply.get(1)) == 1L);
        } catch (RedisException e) {
            throw new StorageException("Redis append to " + keys[0] + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Replay messagesAfter(String channelId, String lastEventId) {
        String stream = streamKey(channelId);
        try {
            if (EARLIEST.equals(lastEventId)) {
                return Replay.complete(everything(stream));
            }
            String asked = StreamIds.canonical(lastEventId);
            if (asked == null) {
                return Replay.gap(everything(stream));
            }
            List<Object> reply = link.call(redis -> REPLAY_SCRIPT.run(redis, ScriptOutputType.MULTI,
                    new String[] {stream}, asked));
            List<SseEvent> events = new ArrayList<>();
            for (Object entry : (List<?>) reply.get(1)) {
                List<?> idAndFields = (List<?>) entry;
                addEvent(events, stream, (String) idAndFields.get(0), fieldsOf((List<?>) idAndFields.get(1)));
            }
            return ((Long) reply.get(0)) == 1L ? Replay.complete(events) : Replay.gap(events);
        } catch (RedisException e) {
            throw new StorageException("Redis replay of " + stream + " failed: " + e.getMessage(), e);
        }
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

    String streamKey(String channelId) {
        return keyPrefix + "stream:" + channelId;
    }

    String indexKey(String channelId) {
        return keyPrefix + "ids:" + channelId;
    }

    int maxLen() {
        return maxLen;
    }

    Duration ttl() {
        return ttl;
    }

    private List<SseEvent> everything(String stream) {
        List<StreamMessage<String, String>> entries = link.call(redis -> redis.xrange(stream, Range.create("-", "+")));
        List<SseEvent> events = new ArrayList<>(entries.size());
        for (StreamMessage<String, String> entry : entries) {
            addEvent(events, stream, entry.getId(), entry.getBody());
        }
        return events;
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
        events.add(new SseEvent(id, eventType, data, messageId, null));
    }

    private static boolean hasLineBreak(String value) {
        return value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0;
    }

    /**
     * {@code gateway.storage.type: redis}; node {@code gateway.storage.redis}: {@code url}, {@code timeout},
     * {@code reconnect-max-delay} (see {@link RedisSettings}), {@code max-len} (default 1000), {@code ttl} (default
     * 1h), {@code key-prefix} (default {@code sse:}).
     */
    public static final class Factory implements StorageFactory {
        @Override
        public String name() {
            return "redis";
        }

        @Override
        public MessageStorage create(PluginConfig config) {
            RedisSettings settings = RedisSettings.from(config);
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
            LOG.info("Redis stream storage on " + settings.display() + ": keys " + keyPrefix + "stream:<channel>, max-len ~"
                    + maxLen + ", ttl " + ttl);
            return new RedisStreamStorage(settings, maxLen, ttl, keyPrefix);
        }
    }
}
