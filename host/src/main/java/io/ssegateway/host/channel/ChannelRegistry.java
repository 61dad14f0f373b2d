package io.ssegateway.host.channel;

import io.ssegateway.host.sse.Frame;
import io.ssegateway.spi.ConnectionManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Channel → subscribers, and the fan-out.
 * <p>
 * Each channel has its own lock; there is no global lock. A publish to a channel holds that channel's lock while
 * the message is stored and its frame queued to every subscriber, and a registration takes the same lock. So, per
 * channel, events reach every queue in stream-id order, and a subscriber registered before a publish gets it
 * queued while one registered after finds it in storage — what makes the replay hand-over exact.
 * <p>
 * A channel's subscribers sit in an array that a fan-out walks as a plain loop and that broadcasts and readers walk
 * without the lock. It is appended to in place and a leaving subscriber's slot is overwritten with a marker, so a
 * lock-free reader sees each subscriber at most once; the array is copied only to grow (doubling) or to drop the
 * markers once they are half of it. Joining or leaving is amortized O(1) — copy-on-write would make 10,000
 * subscribers of one channel connecting (or reconnecting after a restart) copy 50 million references.
 */
public final class ChannelRegistry implements ConnectionManager {

    private static final Subscriber[] NONE = new Subscriber[0];
    /** The slot of a subscriber that left. */
    private static final Subscriber LEFT = new Subscriber(null, null, 0);

    /** A channel's subscribers. Removed from the map, under its lock, when its last subscriber leaves. */
    static final class Channel {
        final String id;
        final ReentrantLock lock = new ReentrantLock();
        /** Slots {@code 0..used-1}: subscribers or {@code LEFT}; then nulls. Written under the lock. */
        volatile Subscriber[] slots = NONE;
        volatile int size;
        int used;
        boolean removed;

        Channel(String id) {
            this.id = id;
        }

        void add(Subscriber subscriber) {
            Subscriber[] current = slots;
            if (used == current.length) {
                current = copyLive(Math.max(4, size * 2));
            }
            current[used] = subscriber;
            subscriber.slot = used++;
            size++;
            slots = current; // publishes the new slot (and a new array) to lock-free readers
        }

        boolean remove(Subscriber subscriber) {
            Subscriber[] current = slots;
            int slot = subscriber.slot;
            if (slot < 0 || slot >= used || current[slot] != subscriber) {
                return false;
            }
            current[slot] = LEFT;
            subscriber.slot = -1;
            size--;
            if (size == 0) {
                slots = NONE;
                used = 0;
            } else if (used - size > used / 2) {
                slots = copyLive(Math.max(4, size * 2));
            }
            return true;
        }

        /** A new array of {@code capacity} holding the live subscribers, renumbered; sets {@code used}. */
        private Subscriber[] copyLive(int capacity) {
            Subscriber[] next = new Subscriber[capacity];
            int n = 0;
            Subscriber[] current = slots;
            for (int i = 0; i < used; i++) {
                if (current[i] != LEFT) {
                    next[n] = current[i];
                    next[n].slot = n;
                    n++;
                }
            }
            used = n;
            return next;
        }
    }

    /** A frame queued to a channel: the frame (with its stream id) and how many subscribers got it. */
    public record Delivery(Frame frame, int queued) {
    }

    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final String instanceId;

    public ChannelRegistry(String instanceId) {
        this.instanceId = instanceId;
    }

    /** Adds a subscriber to its channel; from now on it receives every frame published there. */
    public void register(Subscriber subscriber) {
        Channel channel = lock(subscriber.info().channelId());
        try {
            channel.add(subscriber);
            subscriber.channel = channel;
        } finally {
            unlock(channel);
        }
        connectionCount.incrementAndGet();
    }

    /** Removes a subscriber; a no-op if it is not registered. */
    public void unregister(Subscriber subscriber) {
        Channel channel = subscriber.channel;
        if (channel == null) {
            return;
        }
        boolean removed;
        channel.lock.lock();
        try {
            removed = channel.remove(subscriber);
            subscriber.channel = null;
        } finally {
            unlock(channel);
        }
        if (removed) {
            connectionCount.decrementAndGet();
        }
    }

    /**
     * Under the channel's lock: asks {@code storeAndEncode} for the frame (it stores the message and may throw,
     * in which case nothing is queued) and queues it to every subscriber of the channel.
     */
    public Delivery publish(String channelId, Supplier<Frame> storeAndEncode) {
        Channel channel = lock(channelId);
        try {
            Frame frame = storeAndEncode.get();
            return new Delivery(frame, offerAll(channel.slots, frame));
        } finally {
            unlock(channel);
        }
    }

    /** Queues a frame to every subscriber of every channel. No lock: broadcasts carry no id and need no order. */
    public int broadcast(Frame frame) {
        int queued = 0;
        for (Channel channel : channels.values()) {
            queued += offerAll(channel.slots, frame);
        }
        return queued;
    }

    /** Calls {@code action} for every registered subscriber (a snapshot per channel). */
    public void forEach(Consumer<Subscriber> action) {
        for (Channel channel : channels.values()) {
            for (Subscriber subscriber : channel.slots) {
                if (subscriber == null) {
                    break;
                }
                if (subscriber != LEFT) {
                    action.accept(subscriber);
                }
            }
        }
    }

    /** The subscribers of one channel (a snapshot). */
    public List<Subscriber> subscribers(String channelId) {
        Channel channel = channels.get(channelId);
        if (channel == null) {
            return List.of();
        }
        List<Subscriber> subscribers = new ArrayList<>(channel.size);
        for (Subscriber subscriber : channel.slots) {
            if (subscriber == null) {
                break;
            }
            if (subscriber != LEFT) {
                subscribers.add(subscriber);
            }
        }
        return subscribers;
    }

    @Override
    public int connectionCount() {
        return connectionCount.get();
    }

    @Override
    public int channelConnectionCount(String channelId) {
        Channel channel = channels.get(channelId);
        return channel == null ? 0 : channel.size;
    }

    /** Channels with at least one subscriber. */
    public int channelCount() {
        int count = 0;
        for (Channel channel : channels.values()) {
            if (channel.size > 0) {
                count++;
            }
        }
        return count;
    }

    @Override
    public Set<String> channels() {
        List<String> ids = new ArrayList<>();
        for (Channel channel : channels.values()) {
            if (channel.size > 0) {
                ids.add(channel.id);
            }
        }
        return Set.copyOf(ids);
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    private static int offerAll(Subscriber[] subscribers, Frame frame) {
        int queued = 0;
        for (Subscriber subscriber : subscribers) {
            if (subscriber == null) {
                break;
            }
            if (subscriber != LEFT && subscriber.offer(frame)) {
                queued++;
            }
        }
        return queued;
    }

    /** The channel's live entry, created if needed, locked. Retries if it was removed between lookup and lock. */
    private Channel lock(String channelId) {
        while (true) {
            // get first: computeIfAbsent locks the bin even when the channel exists
            Channel channel = channels.get(channelId);
            if (channel == null) {
                channel = channels.computeIfAbsent(channelId, Channel::new);
            }
            channel.lock.lock();
            if (!channel.removed) {
                return channel;
            }
            channel.lock.unlock();
        }
    }

    private void unlock(Channel channel) {
        if (channel.size == 0 && !channel.removed) {
            channel.removed = true;
            channels.remove(channel.id, channel);
        }
        channel.lock.unlock();
    }
}
