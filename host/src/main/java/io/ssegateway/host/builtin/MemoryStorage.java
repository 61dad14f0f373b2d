package io.ssegateway.host.builtin;

import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The in-process replay history ({@code gateway.storage.type: memory}, the default): per channel the last
 * {@code max-events} events (default 1000), each dropped after {@code ttl} (default 1 h; 0 keeps them until they
 * are pushed out). Ids are {@code <epoch-ms>-<seq>}, strictly increasing per channel even if the clock steps back.
 * {@code append} is idempotent on the business id while that event is retained.
 * <p>
 * One process only: the history is lost on restart (clients then get a {@code gap}), and several instances do not
 * share it — use the Redis storage for that. Memory grows with channels × retained events × event size.
 */
public final class MemoryStorage implements MessageStorage {

    public static final int DEFAULT_MAX_EVENTS = 1000;
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);

    private final int maxEvents;
    private final long ttlMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, History> channels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    /** 1000 events per channel, 1 h TTL. */
    public MemoryStorage() {
        this(DEFAULT_MAX_EVENTS, DEFAULT_TTL);
    }

    /** @param ttl how long an event is kept; {@link Duration#ZERO} keeps it until {@code maxEvents} pushes it out */
    public MemoryStorage(int maxEvents, Duration ttl) {
        this(maxEvents, ttl, Clock.systemUTC());
    }

    MemoryStorage(int maxEvents, Duration ttl, Clock clock) {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("max-events must be at least 1, not " + maxEvents);
        }
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative: " + ttl);
        }
        this.maxEvents = maxEvents;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
        if (ttlMillis > 0) {
            long period = Math.clamp(ttlMillis / 10, 1_000L, 60_000L);
            sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "memory-storage-sweeper");
                thread.setDaemon(true);
                return thread;
            });
            sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        } else {
            sweeper = null;
        }
    }

    /** One channel's retained events; guarded by its own monitor. */
    private static final class History {
        final ArrayDeque<Stored> events = new ArrayDeque<>();
        final Map<String, String> idsByMessageId = new HashMap<>();
        long lastMillis = -1;
        long lastSeq;
        String lastEvictedId;
        boolean removed;
    }

    private record Stored(String id, SseEvent event, long storedAt) {
    }

    @Override
    public String append(String channelId, SseEvent event) {
        while (true) {
            History history = channels.get(channelId);
            if (history == null) {
                history = channels.computeIfAbsent(channelId, id -> new History());
            }
            synchronized (history) {
                if (history.removed) {
                    continue;
                }
                long now = clock.millis();
                expire(history, now);
                if (event.messageId() != null) {
                    String existing = history.idsByMessageId.get(event.messageId());
                    if (existing != null) {
                        return existing;
                    }
                }
                if (now > history.lastMillis) {
                    history.lastMillis = now;
                    history.lastSeq = 0;
                } else {
                    history.lastSeq++;
                }
                String id = history.lastMillis + "-" + history.lastSeq;
                history.events.addLast(new Stored(id, event.withId(id), now));
                if (event.messageId() != null) {
                    history.idsByMessageId.put(event.messageId(), id);
                }
                while (history.events.size() > maxEvents) {
                    evictOldest(history);
                }
                return id;
            }
        }
    }

    @Override
    public Replay messagesAfter(String channelId, String lastEventId) {
        History history = channels.get(channelId);
        if (history == null) {
            return EARLIEST.equals(lastEventId) ? Replay.complete(List.of()) : Replay.gap(List.of());
        }
        synchronized (history) {
            expire(history, clock.millis());
            if (EARLIEST.equals(lastEventId) || lastEventId.equals(history.lastEvictedId)) {
                return Replay.complete(eventsOf(history.events.iterator(), history.events.size()));
            }
            List<SseEvent> after = new ArrayList<>();
            for (Iterator<Stored> newestFirst = history.events.descendingIterator(); newestFirst.hasNext(); ) {
                Stored stored = newestFirst.next();
                if (stored.id().equals(lastEventId)) {
                    Collections.reverse(after);
                    return Replay.complete(after);
                }
                after.add(stored.event());
            }
            return Replay.gap(eventsOf(history.events.iterator(), history.events.size()));
        }
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    /** Drops expired events everywhere and forgets channels left empty. */
    void sweep() {
        long now = clock.millis();
        for (Map.Entry<String, History> entry : channels.entrySet()) {
            History history = entry.getValue();
            synchronized (history) {
                expire(history, now);
                if (history.events.isEmpty()) {
                    history.removed = true;
                    channels.remove(entry.getKey(), history);
                }
            }
        }
    }

    /** Channels currently holding history (for tests and sizing). */
    int channelCount() {
        return channels.size();
    }

    private void expire(History history, long now) {
        if (ttlMillis <= 0) {
            return;
        }
        while (!history.events.isEmpty() && now - history.events.peekFirst().storedAt() >= ttlMillis) {
            evictOldest(history);
        }
    }

    private static void evictOldest(History history) {
        Stored oldest = history.events.removeFirst();
        history.lastEvictedId = oldest.id();
        String messageId = oldest.event().messageId();
        if (messageId != null) {
            history.idsByMessageId.remove(messageId, oldest.id());
        }
    }

    private static List<SseEvent> eventsOf(Iterator<Stored> oldestFirst, int size) {
        List<SseEvent> events = new ArrayList<>(size);
        oldestFirst.forEachRemaining(stored -> events.add(stored.event()));
        return events;
    }

    /**
     * {@code gateway.storage.type: memory}; node {@code gateway.storage.memory}: {@code max-events} (default 1000),
     * {@code ttl} (default 1h, 0 = no expiry).
     */
    public static final class Factory implements StorageFactory {
        @Override
        public String name() {
            return "memory";
        }

        @Override
        public MessageStorage create(PluginConfig config) {
            int maxEvents = config.getInt("max-events", DEFAULT_MAX_EVENTS);
            if (maxEvents < 1) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("max-events") + " must be at least 1");
            }
            return new MemoryStorage(maxEvents, config.getDuration("ttl", DEFAULT_TTL));
        }
    }
}
