package io.ssegateway.host.channel;

import io.ssegateway.host.sse.Frame;
import io.ssegateway.spi.ConnectionManager;
import java.util.ArrayList;
import java.util.Arrays;
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
 * queued while one registered after finds it in storage — what makes the replay hand-over exact. Subscribers are
 * kept in a copy-on-write array: a fan-out is a plain loop over it, and broadcasts and readers need no lock.
 */
public final class ChannelRegistry implements ConnectionManager {

    private static final Subscriber[] NONE = new Subscriber[0];

    /** A channel's subscribers. Removed from the map, under its lock, when its last subscriber leaves. */
    static final class Channel {
        final String id;
        final ReentrantLock lock = new ReentrantLock();
        volatile Subscriber[] subscribers = NONE;
        boolean removed;

        Channel(String id) {
            this.id = id;
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
            Subscriber[] current = channel.subscribers;
            Subscriber[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = subscriber;
            channel.subscribers = next;
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
        boolean removed = false;
        channel.lock.lock();
        try {
            Subscriber[] current = channel.subscribers;
            for (int i = 0; i < current.length; i++) {
                if (current[i] == subscriber) {
                    Subscriber[] next = new Subscriber[current.length - 1];
                    System.arraycopy(current, 0, next, 0, i);
                    System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                    channel.subscribers = next;
                    removed = true;
                    break;
                }
            }
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
            return new Delivery(frame, offerAll(channel.subscribers, frame));
        } finally {
            unlock(channel);
        }
    }

    /** Queues a frame to every subscriber of every channel. No lock: broadcasts carry no id and need no order. */
    public int broadcast(Frame frame) {
        int queued = 0;
        for (Channel channel : channels.values()) {
            queued += offerAll(channel.subscribers, frame);
        }
        return queued;
    }

    /** Calls {@code action} for every registered subscriber (a snapshot per channel). */
    public void forEach(Consumer<Subscriber> action) {
        for (Channel channel : channels.values()) {
            for (Subscriber subscriber : channel.subscribers) {
                action.accept(subscriber);
            }
        }
    }

    /** The subscribers of one channel (a snapshot). */
    public List<Subscriber> subscribers(String channelId) {
        Channel channel = channels.get(channelId);
        return channel == null ? List.of() : List.of(channel.subscribers);
    }

    @Override
    public int connectionCount() {
        return connectionCount.get();
    }

    @Override
    public int channelConnectionCount(String channelId) {
        Channel channel = channels.get(channelId);
        return channel == null ? 0 : channel.subscribers.length;
    }

    /** Channels with at least one subscriber. */
    public int channelCount() {
        int count = 0;
        for (Channel channel : channels.values()) {
            if (channel.subscribers.length > 0) {
                count++;
            }
        }
        return count;
    }

    @Override
    public Set<String> channels() {
        List<String> ids = new ArrayList<>();
        for (Channel channel : channels.values()) {
            if (channel.subscribers.length > 0) {
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
            if (subscriber.offer(frame)) {
                queued++;
            }
        }
        return queued;
    }

    /** The channel's live entry, created if needed, locked. Retries if it was removed between lookup and lock. */
    private Channel lock(String channelId) {
        while (true) {
            Channel channel = channels.computeIfAbsent(channelId, Channel::new);
            channel.lock.lock();
            if (!channel.removed) {
                return channel;
            }
            channel.lock.unlock();
        }
    }

    private void unlock(Channel channel) {
        if (channel.subscribers.length == 0 && !channel.removed) {
            channel.removed = true;
            channels.remove(channel.id, channel);
        }
        channel.lock.unlock();
    }
}
