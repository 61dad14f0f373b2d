package io.ssegateway.host.channel;

import io.ssegateway.host.core.Frame;
import io.ssegateway.spi.ConnectionView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

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
public final class Subscriptions implements ConnectionView {

    private static final Subscriber[] NONE = new Subscriber[0];
    /** The slot of a subscriber that left. */
    private static final Subscriber LEFT = new Subscriber(null, 0, 0, null);

    /** A channel's subscribers. Removed from the map, under its lock, when its last subscriber leaves. */
    static final class Channel {
        final String id;
        final ReentrantLock lock = new ReentrantLock();
        /** Slots {@code 0..used-1}: subscribers or {@code LEFT}; then nulls. Written under the lock. */
        volatile Subscriber[] slots = NONE;
        volatile int size;
        int used;
        /** Subscribers of several channels among them: a publish then also encodes the envelope they need. */
        int multiChannel;
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
            subscriber.slot(this, used++);
            size++;
            if (subscriber.isMultiChannel()) {
                multiChannel++;
            }
            slots = current; // publishes the new slot (and a new array) to lock-free readers
        }

        boolean remove(Subscriber subscriber) {
            Subscriber[] current = slots;
            int slot = subscriber.slotIn(this);
            if (slot < 0 || slot >= used || current[slot] != subscriber) {
                return false;
            }
            current[slot] = LEFT;
            subscriber.slot(this, -1);
            size--;
            if (subscriber.isMultiChannel()) {
                multiChannel--;
            }
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
                    next[n].slot(this, n);
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

    /** Stores a message and encodes its frame, under its channel's lock. */
    @FunctionalInterface
    public interface StoreAndEncode {
        /**
         * @param withEnvelope a subscriber of several channels is among the channel's: encode
         *                     {@link Frame#envelope} too
         */
        Frame apply(boolean withEnvelope);
    }

    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final String instanceId;
    private final WritePasses passes = new WritePasses();

    public Subscriptions(String instanceId) {
        this.instanceId = instanceId;
    }

    /**
     * Adds a subscriber to each of its channels, one channel at a time; from then on it receives every frame published
     * there (the replay hand-over is exact per channel).
     */
    public void register(Subscriber subscriber) {
        List<String> channelIds = subscriber.info().channelIds();
        for (int i = 0; i < channelIds.size(); i++) {
            Channel channel = lock(channelIds.get(i));
            try {
                subscriber.joined(i, channel);
                channel.add(subscriber);
            } finally {
                unlock(channel);
            }
        }
        connectionCount.incrementAndGet();
    }

    /** Removes a subscriber; a no-op if it is not registered. */
    public void unregister(Subscriber subscriber) {
        boolean removed = false;
        for (int i = subscriber.info().channelIds().size() - 1; i >= 0; i--) {
            Channel channel = subscriber.channelAt(i);
            if (channel == null) {
                continue;
            }
            channel.lock.lock();
            try {
                removed |= channel.remove(subscriber) && i == 0;
                subscriber.joined(i, null);
            } finally {
                unlock(channel);
            }
        }
        if (removed) {
            connectionCount.decrementAndGet();
        }
    }

    /**
     * Under the channel's lock: asks {@code storeAndEncode} for the frame (it stores the message and may throw,
     * in which case nothing is queued) and queues it to every subscriber of the channel.
     */
    public Delivery publish(String channelId, StoreAndEncode storeAndEncode) {
        Channel channel = lock(channelId);
        try {
            Frame frame = storeAndEncode.apply(channel.multiChannel > 0);
            return new Delivery(frame, offerAll(channel, frame, false));
        } finally {
            unlock(channel);
        }
    }

    /**
     * Queues a frame to every connection, once (a connection of several channels gets it through its first). No lock:
     * broadcasts carry no id and need no order.
     */
    public int broadcast(Frame frame) {
        int queued = 0;
        for (Channel channel : channels.values()) {
            queued += offerAll(channel, frame, true);
        }
        return queued;
    }

    /** Calls {@code action} for every registered subscriber, once each (a snapshot per channel). */
    public void forEach(Consumer<Subscriber> action) {
        for (Channel channel : channels.values()) {
            for (Subscriber subscriber : channel.slots) {
                if (subscriber == null) {
                    break;
                }
                if (subscriber != LEFT && subscriber.channelAt(0) == channel) {
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

    /** What starts the write passes of this registry's subscribers, and counts those waiting to run. */
    public WritePasses passes() {
        return passes;
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    /** @param oncePerConnection offer only to the subscribers whose first channel this is */
    private static int offerAll(Channel channel, Frame frame, boolean oncePerConnection) {
        int queued = 0;
        for (Subscriber subscriber : channel.slots) {
            if (subscriber == null) {
                break;
            }
            if (subscriber != LEFT && (!oncePerConnection || subscriber.channelAt(0) == channel)
                    && subscriber.offer(frame)) {
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
