package io.ssegateway.host.sse;

import io.ssegateway.host.channel.Subscriptions;
import io.ssegateway.host.core.PeriodicThread;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One thread that wakes the connection writers whose heartbeat or keep-alive is due. Writers park without a timeout
 * between frames: a timed park of a virtual thread schedules (and, when a frame arrives first, cancels) a timer
 * task per connection per wait, which at tens of thousands of connections costs more than scanning them all once
 * per tick. A writer is woken at most one tick late.
 */
public final class WriterTimer {

    private static final Logger LOG = Logger.getLogger(WriterTimer.class.getName());

    private final Subscriptions registry;
    private final PeriodicThread ticker;

    public WriterTimer(Subscriptions registry, Duration heartbeatInterval, Duration keepAliveInterval) {
        this.registry = registry;
        this.ticker = new PeriodicThread("sse-writer-timer", tick(heartbeatInterval, keepAliveInterval), this::wakeDue);
    }

    /** A tenth of the shortest interval, between 10 ms and 1 s. */
    static Duration tick(Duration heartbeatInterval, Duration keepAliveInterval) {
        Duration shortest = heartbeatInterval.isZero() || heartbeatInterval.compareTo(keepAliveInterval) > 0
                ? keepAliveInterval : heartbeatInterval;
        Duration tenth = shortest.dividedBy(10);
        if (tenth.compareTo(Duration.ofMillis(10)) < 0) {
            return Duration.ofMillis(10);
        }
        return tenth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : tenth;
    }

    public void start() {
        ticker.start();
    }

    public void stop() {
        ticker.stop();
    }

    private void wakeDue() {
        try {
            long now = System.nanoTime();
            registry.forEach(subscriber -> subscriber.wakeIfDue(now));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Waking due connection writers failed", e);
        }
    }
}
