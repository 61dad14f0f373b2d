package io.ssegateway.host.channel;

import io.ssegateway.host.sse.Frame;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * One SSE connection's mailbox. Publishers {@link #offer} frames from any thread and never block; only the
 * connection's own thread (the writer) takes them and writes to the socket.
 * <p>
 * The queue is bounded: when it is full the subscriber is closed as a slow consumer and its writer is interrupted,
 * which (on a virtual thread) also aborts a socket write that a client who stopped reading would block forever.
 * Nobody else waits for it. Memory is proportional to what is queued, not to the bound.
 */
public final class Subscriber {

    private static final AtomicIntegerFieldUpdater<Subscriber> SIZE =
            AtomicIntegerFieldUpdater.newUpdater(Subscriber.class, "size");
    private static final long NOT_WAITING = Long.MIN_VALUE;
    private static final AtomicReferenceFieldUpdater<Subscriber, CloseReason> CLOSE_REASON =
            AtomicReferenceFieldUpdater.newUpdater(Subscriber.class, CloseReason.class, "closeReason");

    private final ConnectionInfo info;
    private final Thread writer;
    private final int capacity;
    private final ConcurrentLinkedQueue<Frame> queue = new ConcurrentLinkedQueue<>();
    private volatile int size;
    private volatile CloseReason closeReason;
    /** When the parked writer wants to be woken even without frames (heartbeat, keep-alive), in nanoTime. */
    private volatile long wakeAt = NOT_WAITING;

    /** Set by the registry while registered: the channel this subscriber is in, and its slot there. */
    ChannelRegistry.Channel channel;
    int slot = -1;

    /**
     * @param writer   the connection's own thread, the only one that polls and writes
     * @param capacity the most frames that may wait; one more closes the subscriber
     */
    public Subscriber(ConnectionInfo info, Thread writer, int capacity) {
        this.info = info;
        this.writer = writer;
        this.capacity = capacity;
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
        if (SIZE.incrementAndGet(this) > capacity) {
            SIZE.decrementAndGet(this);
            close(CloseReason.SLOW_CONSUMER);
            return false;
        }
        queue.offer(frame);
        LockSupport.unpark(writer);
        return true;
    }

    /**
     * Parks the writer until a frame is offered, the subscriber is closed, or {@link #wakeIfDue} finds
     * {@code wakeAtNanos} reached. An untimed park: no timer per connection per wait. Writer thread only; may return
     * early (the caller re-checks).
     */
    public void awaitFrames(long wakeAtNanos) {
        wakeAt = wakeAtNanos;
        // a frame counted but not yet in the queue (offer is between its two steps) must not be slept through
        if (size == 0 && closeReason == null) {
            LockSupport.park(this);
        }
        wakeAt = NOT_WAITING;
    }

    /** Wakes the writer if the time it asked for in {@link #awaitFrames} has come (called by a timer). */
    public void wakeIfDue(long nowNanos) {
        long at = wakeAt;
        if (at != NOT_WAITING && nowNanos - at >= 0) {
            LockSupport.unpark(writer);
        }
    }

    /** The next queued frame, or {@code null}. Writer thread only. */
    public Frame poll() {
        Frame frame = queue.poll();
        if (frame != null) {
            SIZE.decrementAndGet(this);
        }
        return frame;
    }

    /** Frames waiting to be written. */
    public int queued() {
        return size;
    }

    /** Why the subscriber was closed, or {@code null} while it is open. */
    public CloseReason closeReason() {
        return closeReason;
    }

    /**
     * Asks the writer to end the stream; the first reason wins. A slow consumer's writer is interrupted so that a
     * blocked socket write is aborted (closing the socket); otherwise it is woken and ends the stream cleanly.
     *
     * @return {@code true} if this call closed it
     */
    public boolean close(CloseReason reason) {
        if (!CLOSE_REASON.compareAndSet(this, null, reason)) {
            return false;
        }
        if (reason == CloseReason.SLOW_CONSUMER) {
            writer.interrupt();
        } else {
            LockSupport.unpark(writer);
        }
        return true;
    }

    /** Aborts a writer that is stuck in a socket write (shutdown after the grace period). */
    public void abort() {
        close(CloseReason.SHUTDOWN);
        writer.interrupt();
    }
}
