package io.ssegateway.host.sse;

import io.ssegateway.host.channel.CloseReason;
import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.host.core.GatewayMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * Ends each stream when its client's credential expires ({@code Identity.expiresAt}), so that no stream outlives its
 * credential. One queue ordered by expiry and one thread that sleeps until the earliest: no timer per connection, and
 * a stream ends within a millisecond or so of its expiry (not a heartbeat tick later). Watching and forgetting a
 * stream are O(log n).
 */
public final class CredentialExpiry {

    private static final Logger LOG = Logger.getLogger(CredentialExpiry.class.getName());
    /** Expiries further away than this (about 73 years) are treated as this far: nanoTime arithmetic must not wrap. */
    private static final long MAX_WAIT_NANOS = Long.MAX_VALUE / 4;
    private static final Comparator<Watch> BY_DEADLINE = (a, b) -> {
        long difference = a.deadlineNanos - b.deadlineNanos;
        return difference != 0 ? Long.signum(difference) : Long.compare(a.sequence, b.sequence);
    };

    private final ConcurrentSkipListMap<Watch, Boolean> queue = new ConcurrentSkipListMap<>(BY_DEADLINE);
    private final AtomicLong sequence = new AtomicLong();
    private final GatewayMetrics metrics;
    private volatile boolean running;
    private volatile Thread thread;

    /** One watched stream; hand it back to {@link #forget} when the stream ends. */
    public static final class Watch {
        private final long deadlineNanos;
        private final long sequence;
        private final Subscriber subscriber;
        private final Instant expiresAt;

        private Watch(long deadlineNanos, long sequence, Subscriber subscriber, Instant expiresAt) {
            this.deadlineNanos = deadlineNanos;
            this.sequence = sequence;
            this.subscriber = subscriber;
            this.expiresAt = expiresAt;
        }

        /** When the credential expires. */
        public Instant expiresAt() {
            return expiresAt;
        }
    }

    public CredentialExpiry(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    public void start() {
        running = true;
        thread = Thread.ofPlatform().daemon(true).name("sse-credential-expiry").start(this::run);
    }

    public void stop() {
        running = false;
        Thread current = thread;
        if (current != null) {
            current.interrupt();
        }
    }

    /**
     * Ends {@code subscriber}'s stream at {@code expiresAt}, closing it as {@link CloseReason#CREDENTIAL_EXPIRED}.
     *
     * @return what to hand to {@link #forget} when the stream ends; {@code null} if {@code expiresAt} is {@code null}
     */
    public Watch watch(Subscriber subscriber, Instant expiresAt) {
        if (expiresAt == null) {
            return null;
        }
        long wait;
        try {
            wait = Math.min(MAX_WAIT_NANOS, Math.max(0, Duration.between(Instant.now(), expiresAt).toNanos()));
        } catch (ArithmeticException beyondNanos) {
            wait = expiresAt.isAfter(Instant.now()) ? MAX_WAIT_NANOS : 0;
        }
        Watch watch = new Watch(System.nanoTime() + wait, sequence.incrementAndGet(), subscriber, expiresAt);
        queue.put(watch, Boolean.TRUE);
        Map.Entry<Watch, Boolean> first = queue.firstEntry();
        if (first != null && first.getKey() == watch) {
            // it is now the earliest: the thread may be sleeping until a later one
            LockSupport.unpark(thread);
        }
        return watch;
    }

    /** Stops watching a stream that ended; {@code null} is ignored. */
    public void forget(Watch watch) {
        if (watch != null) {
            queue.remove(watch);
        }
    }

    /** Streams being watched. */
    int watched() {
        return queue.size();
    }

    private void run() {
        while (running) {
            Map.Entry<Watch, Boolean> first = queue.firstEntry();
            if (first == null) {
                LockSupport.park(this);
            } else {
                long wait = first.getKey().deadlineNanos - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                } else if (queue.remove(first.getKey()) != null) {
                    expire(first.getKey());
                }
            }
            if (Thread.interrupted() && !running) {
                return;
            }
        }
    }

    private void expire(Watch watch) {
        if (watch.subscriber.close(CloseReason.CREDENTIAL_EXPIRED)) {
            metrics.connectionsExpired.increment();
            LOG.fine(() -> "Ended SSE connection " + watch.subscriber.info().connectionId() + " of "
                    + (watch.subscriber.info().subject() == null ? "an anonymous client"
                    : "subject '" + watch.subscriber.info().subject() + "'")
                    + ": its credential expired at " + watch.expiresAt);
        }
    }
}
