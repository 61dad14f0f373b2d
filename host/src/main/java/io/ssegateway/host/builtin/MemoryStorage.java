package io.ssegateway.host.builtin;

import io.ssegateway.kit.StreamIdOrder;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process replay history ({@code gateway.storage.type: memory}, the default): per channel the last
 * {@code max-events} events (default 1000), each dropped after {@code ttl} (default 1 h; 0 keeps them until they
 * are pushed out). Ids are {@code <epoch-ms>-<seq>}, strictly increasing per channel even if the clock steps back.
 * {@code append} is idempotent on the business id while that event is retained. Bounded in bytes as well: at most
 * {@code max-bytes-per-channel} (default 16 MiB) per channel and {@code max-bytes} (default 128 MiB) in all, by
 * {@link SseEvent#sizeEstimate()}; the oldest events go first (for the total, the oldest of any channel).
 * <p>
 * One process only: the history is lost on restart (clients then get a {@code gap}), and several instances do not
 * share it — use the Redis storage for that.
 */
public final class MemoryStorage implements MessageStorage {

    public static final int DEFAULT_MAX_EVENTS = 1000;
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    public static final long DEFAULT_MAX_BYTES_PER_CHANNEL = 16L * 1024 * 1024;
    public static final long DEFAULT_MAX_BYTES = 128L * 1024 * 1024;

    private final int maxEvents;
    private final long ttlMillis;
    private final Clock clock;
    private final long maxBytesPerChannel;
    private final long maxBytes;
    private final ConcurrentHashMap<String, History> channels = new ConcurrentHashMap<>();
    /** Every retained event in append order (and some already evicted ones): what the total limit evicts first. */
    private final ConcurrentLinkedQueue<Stored> appendOrder = new ConcurrentLinkedQueue<>();
    private final AtomicLong totalBytes = new AtomicLong();
    private final AtomicLong retained = new AtomicLong();
    private final AtomicLong evictedInQueue = new AtomicLong();
    private final ScheduledExecutorService sweeper;

    /** 1000 events per channel, 1 h TTL. */
    public MemoryStorage() {
        this(DEFAULT_MAX_EVENTS, DEFAULT_TTL);
    }

    /** @param ttl how long an event is kept; {@link Duration#ZERO} keeps it until {@code maxEvents} pushes it out */
    public MemoryStorage(int maxEvents, Duration ttl) {
        this(maxEvents, ttl, DEFAULT_MAX_BYTES_PER_CHANNEL, DEFAULT_MAX_BYTES, Clock.systemUTC());
    }

    /**
     * @param maxBytesPerChannel the most event bytes one channel keeps (at least its newest event is kept)
     * @param maxBytes           the most event bytes all channels keep together
     */
    public MemoryStorage(int maxEvents, Duration ttl, long maxBytesPerChannel, long maxBytes) {
        this(maxEvents, ttl, maxBytesPerChannel, maxBytes, Clock.systemUTC());
    }

    MemoryStorage(int maxEvents, Duration ttl, Clock clock) {
        this(maxEvents, ttl, DEFAULT_MAX_BYTES_PER_CHANNEL, DEFAULT_MAX_BYTES, clock);
    }

    MemoryStorage(int maxEvents, Duration ttl, long maxBytesPerChannel, long maxBytes, Clock clock) {
        if (maxBytesPerChannel < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("max-bytes-per-channel and max-bytes must be positive");
        }
        this.maxBytesPerChannel = maxBytesPerChannel;
        this.maxBytes = maxBytes;
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
        long bytes;
        long lastMillis = -1;
        long lastSeq;
        String lastEvictedId;
        boolean removed;
    }

    /** A retained event; {@code evicted} is set (under its history's monitor) when it leaves the history. */
    private static final class Stored {
        final String id;
        final SseEvent event;
        final long storedAt;
        final long size;
        final History history;
        volatile boolean evicted;

        Stored(String id, SseEvent event, long storedAt, History history) {
            this.id = id;
            this.event = event;
            this.storedAt = storedAt;
            this.size = event.sizeEstimate();
            this.history = history;
        }

        String id() {
            return id;
        }

        SseEvent event() {
            return event;
        }

        long storedAt() {
            return storedAt;
        }
    }

    @Override
    public String append(String channelId, SseEvent event) {
        String id = appendToChannel(channelId, event);
        // outside the channel's monitor: the total limit takes other channels' monitors, one at a time
        enforceTotal();
        return id;
    }

    private String appendToChannel(String channelId, SseEvent event) {
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
                Stored stored = new Stored(id, event.withStreamId(id), now, history);
                history.events.addLast(stored);
                history.bytes += stored.size;
                totalBytes.addAndGet(stored.size);
                retained.incrementAndGet();
                appendOrder.offer(stored);
                if (event.messageId() != null) {
                    history.idsByMessageId.put(event.messageId(), id);
                }
                while (history.events.size() > maxEvents
                        || history.bytes > maxBytesPerChannel && history.events.size() > 1) {
                    evictOldest(history);
                }
                return id;
            }
        }
    }

    /** Evicts the oldest events of any channel while all channels together hold more than {@code maxBytes}. */
    private void enforceTotal() {
        while (totalBytes.get() > maxBytes) {
            Stored oldest = appendOrder.poll();
            if (oldest == null) {
                return;
            }
            if (oldest.evicted) {
                evictedInQueue.decrementAndGet();
                continue;
            }
            synchronized (oldest.history) {
                if (!oldest.evicted && oldest.history.events.peekFirst() == oldest) {
                    evictOldest(oldest.history);
                    evictedInQueue.decrementAndGet();
                }
            }
        }
        // events evicted by their channel's limits or TTL stay queued until polled: drop them once they outnumber
        // the retained ones, so that the queue stays proportional to what is retained
        if (evictedInQueue.get() > Math.max(1024, retained.get())) {
            synchronized (appendOrder) {
                if (evictedInQueue.get() > Math.max(1024, retained.get())) {
                    appendOrder.removeIf(stored -> {
                        if (stored.evicted) {
                            evictedInQueue.decrementAndGet();
                            return true;
                        }
                        return false;
                    });
                }
            }
        }
    }

    @Override
    public Replay messagesAfter(String channelId, String lastEventId, int maxBytes) {
        History history = channels.get(channelId);
        if (history == null) {
            return EARLIEST.equals(lastEventId) ? Replay.complete(List.of(), false) : Replay.gap(List.of(), false);
        }
        synchronized (history) {
            expire(history, clock.millis());
            int total = history.events.size();
            int after = EARLIEST.equals(lastEventId) || lastEventId.equals(history.lastEvictedId)
                    ? total : countAfter(history, lastEventId);
            boolean complete = after >= 0;
            List<SseEvent> page = new ArrayList<>();
            long bytes = 0;
            int skip = complete ? total - after : 0;
            int index = 0;
            for (Stored stored : history.events) {
                if (index++ < skip) {
                    continue;
                }
                long size = stored.event().sizeEstimate();
                if (!page.isEmpty() && bytes + size > maxBytes) {
                    break;
                }
                page.add(stored.event());
                bytes += size;
            }
            boolean more = skip + page.size() < total;
            return complete ? Replay.complete(page, more) : Replay.gap(page, more);
        }
    }

    /** The newest retained id, else the last evicted one (a replay after it is complete), else {@code null}. */
    @Override
    public String lastId(String channelId) {
        History history = channels.get(channelId);
        if (history == null) {
            return null;
        }
        synchronized (history) {
            expire(history, clock.millis());
            Stored newest = history.events.peekLast();
            return newest != null ? newest.id() : history.lastEvictedId;
        }
    }

    /** How many retained events follow {@code streamId}; -1 if it is not retained. */
    private static int countAfter(History history, String streamId) {
        int count = 0;
        for (Iterator<Stored> newestFirst = history.events.descendingIterator(); newestFirst.hasNext(); count++) {
            if (newestFirst.next().id().equals(streamId)) {
                return count;
            }
        }
        return -1;
    }

    @Override
    public int compareIds(String a, String b) {
        return StreamIdOrder.compare(a, b);
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

    private void evictOldest(History history) {
        Stored oldest = history.events.removeFirst();
        oldest.evicted = true;
        history.bytes -= oldest.size;
        totalBytes.addAndGet(-oldest.size);
        retained.decrementAndGet();
        evictedInQueue.incrementAndGet();
        history.lastEvictedId = oldest.id();
        String messageId = oldest.event().messageId();
        if (messageId != null) {
            history.idsByMessageId.remove(messageId, oldest.id());
        }
    }

    /**
     * {@code gateway.storage.type: memory}; node {@code gateway.storage.memory}: {@code max-events} (default 1000),
     * {@code ttl} (default 1h, 0 = no expiry), {@code max-bytes-per-channel} (default 16 MiB), {@code max-bytes}
     * (default 128 MiB).
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
            long perChannel = config.getLong("max-bytes-per-channel", DEFAULT_MAX_BYTES_PER_CHANNEL);
            long total = config.getLong("max-bytes", DEFAULT_MAX_BYTES);
            if (perChannel < 1 || total < 1) {
                throw new IllegalArgumentException("configuration keys " + config.keyOf("max-bytes-per-channel") + " and "
                        + config.keyOf("max-bytes") + " must be positive");
            }
            return new MemoryStorage(maxEvents, config.getDuration("ttl", DEFAULT_TTL), perChannel, total);
        }
    }
}
