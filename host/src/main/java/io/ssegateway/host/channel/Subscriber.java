package io.ssegateway.host.channel;

import io.ssegateway.host.core.Frame;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * One SSE connection's mailbox. Publishers {@link #offer} frames from any thread and never block. The frames are
 * written by <em>write passes</em>: short-lived virtual threads, at most one at a time per connection, started when
 * there is something to write (a frame, a due heartbeat or keep-alive, the end of the stream) and gone when there
 * is not. No thread waits for frames: the connection's own request thread is free to watch the socket for the client
 * closing it.
 * <p>
 * The queue is bounded in frames and in bytes: when either is exceeded the subscriber is closed as a slow consumer and its connection is broken off
 * ({@link Writer#abort}), which also ends a socket write that a client who stopped reading would block forever.
 * Memory is proportional to what is queued, not to the bound.
 */
public final class Subscriber {

    /** The connection side of a subscriber: what a write pass does, and how to break the connection off. */
    public interface Writer {
        /**
         * Writes what is queued or due, then ends the pass with {@link Subscriber#passDone} or, once the subscriber
         * is closed, {@link Subscriber#ended}. Runs on a write-pass thread, never two at once.
         */
        void pass();

        /** Closes the connection at once; a write blocked on it fails. Any thread. */
        void abort();

        /**
         * Whether closing the connection may interrupt the thread of its pass (HTTP/2 does, to end a write waiting
         * for the client's window): such a pass gets a thread of its own instead of a shared writer.
         */
        default boolean interruptsItsThread() {
            return false;
        }
    }

    private static final AtomicIntegerFieldUpdater<Subscriber> SIZE =
            AtomicIntegerFieldUpdater.newUpdater(Subscriber.class, "size");
    private static final java.util.concurrent.atomic.AtomicLongFieldUpdater<Subscriber> BYTES =
            java.util.concurrent.atomic.AtomicLongFieldUpdater.newUpdater(Subscriber.class, "bytes");
    private static final AtomicIntegerFieldUpdater<Subscriber> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Subscriber.class, "state");
    private static final AtomicReferenceFieldUpdater<Subscriber, CloseReason> CLOSE_REASON =
            AtomicReferenceFieldUpdater.newUpdater(Subscriber.class, CloseReason.class, "closeReason");
    /** No pass runs; the next offer (or due wake-up, or close) starts one. */
    private static final int IDLE = 0;
    /** A pass (or the creating thread, before its first {@link #passDone}) is writing. */
    private static final int WRITING = 1;
    /** The stream is over: no pass runs or will run. */
    private static final int ENDED = 2;

    private final ConnectionInfo info;
    private final WritePasses passes;
    private final int capacity;
    private final long capacityBytes;
    private final ConcurrentLinkedQueue<Frame> queue = new ConcurrentLinkedQueue<>();
    private volatile int size;
    /** The bytes of the frames in {@link #queue}. */
    private volatile long bytes;
    private volatile int state = WRITING;
    private volatile CloseReason closeReason;
    /** When a pass is due even without frames (heartbeat, keep-alive), in nanoTime; set at the end of each pass. */
    private volatile long wakeAt = Long.MAX_VALUE;
    private Writer writer;
    /** The thread waiting in {@link #awaitEnded}. */
    private volatile Thread awaiting;

    /** Set by the registry while registered: the (first) channel this subscriber is in, and its slot there. */
    private Subscriptions.Channel channel;
    private int slot = -1;
    /** A subscriber of several channels: its other channels (in the order of its info's) and its slots there. */
    private final Subscriptions.Channel[] moreChannels;
    private final int[] moreSlots;

    /**
     * A subscriber whose creating thread holds the writer role (to write the stream's start) until it calls
     * {@link #passDone} or {@link #ended}. {@link #writer} must be set before frames can arrive.
     *
     * @param capacity      the most frames that may wait; one more closes the subscriber
     * @param capacityBytes the most frame bytes that may wait; a frame that would go beyond closes the subscriber,
     *                      unless the queue is empty (one frame always fits, however large)
     * @param passes        what starts its write passes (the registry's {@link Subscriptions#passes})
     */
    public Subscriber(ConnectionInfo info, int capacity, long capacityBytes, WritePasses passes) {
        this.info = info;
        this.passes = passes;
        this.capacity = capacity;
        this.capacityBytes = capacityBytes;
        int more = info == null ? 0 : info.channelIds().size() - 1;
        this.moreChannels = more > 0 ? new Subscriptions.Channel[more] : null;
        this.moreSlots = more > 0 ? new int[more] : null;
    }

    /** Whether the subscriber reads several channels (and so gets their frames' envelopes). */
    public boolean isMultiChannel() {
        return moreChannels != null;
    }

    /** The registry's entry of the channel {@code index} of the info's, or {@code null} when not registered there. */
    Subscriptions.Channel channelAt(int index) {
        return index == 0 ? channel : moreChannels[index - 1];
    }

    /** Records that the subscriber joined ({@code channel}) or left ({@code null}) its channel {@code index}. */
    void joined(int index, Subscriptions.Channel joined) {
        if (index == 0) {
            channel = joined;
        } else {
            moreChannels[index - 1] = joined;
        }
    }

    /** Its slot in {@code in}'s array, or -1. Under that channel's lock. */
    int slotIn(Subscriptions.Channel in) {
        if (in == channel) {
            return slot;
        }
        for (int i = 0; moreChannels != null && i < moreChannels.length; i++) {
            if (moreChannels[i] == in) {
                return moreSlots[i];
            }
        }
        return -1;
    }

    /** Sets its slot in {@code in}'s array. Under that channel's lock. */
    void slot(Subscriptions.Channel in, int newSlot) {
        if (in == channel) {
            slot = newSlot;
            return;
        }
        for (int i = 0; moreChannels != null && i < moreChannels.length; i++) {
            if (moreChannels[i] == in) {
                moreSlots[i] = newSlot;
                return;
            }
        }
    }

    /** Sets the connection side (once, before the subscriber is registered). */
    public void writer(Writer writer) {
        this.writer = writer;
    }

    public ConnectionInfo info() {
        return info;
    }

    /**
     * Queues a frame for the writer. Never blocks.
     *
     * @return {@code false} if the subscriber is closed, or just got closed because its queue is full
     */
    boolean offer(Frame frame) {
        if (closeReason != null) {
            return false;
        }
        int length = frame.bytes().length;
        long queuedBytes = BYTES.addAndGet(this, length);
        if (SIZE.incrementAndGet(this) > capacity || queuedBytes > capacityBytes && queuedBytes != length) {
            SIZE.decrementAndGet(this);
            BYTES.addAndGet(this, -length);
            close(CloseReason.SLOW_CONSUMER);
            return false;
        }
        queue.offer(frame);
        wake();
        return true;
    }

    /** Starts a pass if none runs and the time asked for by the last one has come (called by a timer). */
    public void wakeIfDue(long nowNanos) {
        if (state == IDLE && nowNanos - wakeAt >= 0) {
            wake();
        }
    }

    /**
     * Ends a pass that left the subscriber open. The next pass starts when a frame is offered, the subscriber is
     * closed, or {@link #wakeIfDue} finds {@code wakeAtNanos} reached. Writer only.
     */
    public void passDone(long wakeAtNanos) {
        wakeAt = wakeAtNanos;
        state = IDLE;
        // an offer or close that saw WRITING a moment ago started nothing: look again
        if (size > 0 || closeReason != null) {
            wake();
        }
    }

    /** The writer's last act, once it has ended the stream: no pass will run again. Writer only. */
    public void ended() {
        state = ENDED;
        Thread waiting = awaiting;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
    }

    /** Blocks until {@link #ended}: no pass touches the connection any more. Keeps the caller's interrupt status. */
    public void awaitEnded() {
        awaiting = Thread.currentThread();
        // an interrupted thread would not park: clear the status while waiting, restore it after
        boolean interrupted = false;
        while (state != ENDED) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        awaiting = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The writer wrote a batch whose oldest event was published {@code nanos} ago (see {@link WritePasses}). */
    public void reportLag(long nanos) {
        passes.reportLag(nanos);
    }

    /** The next queued frame, or {@code null}. Writer only. */
    public Frame poll() {
        Frame frame = queue.poll();
        if (frame != null) {
            SIZE.decrementAndGet(this);
            BYTES.addAndGet(this, -frame.bytes().length);
        }
        return frame;
    }

    /** Frames waiting to be written. */
    public int queued() {
        return size;
    }

    /** Bytes of the frames waiting to be written. */
    public long queuedBytes() {
        return bytes;
    }

    /**
     * The stream is open and keeping up: not closing, and fewer than half of its queue's capacity waiting. A client
     * that stops reading turns inactive before its queue is full and it is closed as a slow consumer.
     */
    public boolean isActive() {
        return closeReason == null && size * 2 < capacity && bytes * 2 < capacityBytes;
    }

    /** Why the subscriber was closed, or {@code null} while it is open. */
    public CloseReason closeReason() {
        return closeReason;
    }

    /**
     * Asks the writer to end the stream; the first reason wins. A slow consumer's connection is broken off at once
     * (its writes may be blocked); otherwise a pass ends the stream cleanly.
     *
     * @return {@code true} if this call closed it
     */
    public boolean close(CloseReason reason) {
        if (!CLOSE_REASON.compareAndSet(this, null, reason)) {
            return false;
        }
        if (reason == CloseReason.SLOW_CONSUMER) {
            writer.abort();
        }
        wake();
        return true;
    }

    /**
     * Closes the subscriber for {@code reason} and, if no pass runs, ends the stream right here: no pass will run
     * again. Otherwise the running pass ends it (see {@link #awaitEnded}).
     *
     * @return whether the stream ended here
     */
    public boolean closeAndEnd(CloseReason reason) {
        boolean idle = state == IDLE && STATE.compareAndSet(this, IDLE, ENDED);
        close(reason);
        return idle;
    }

    /** Breaks off a connection whose writer is stuck in a socket write (shutdown after the grace period). */
    public void abort() {
        close(CloseReason.SHUTDOWN);
        writer.abort();
    }

    private void wake() {
        if (state == IDLE && STATE.compareAndSet(this, IDLE, WRITING)) {
            passes.start(writer);
        }
    }
}
