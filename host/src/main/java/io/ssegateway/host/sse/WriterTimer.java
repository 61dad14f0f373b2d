package io.ssegateway.host.sse;

import io.ssegateway.host.channel.ChannelRegistry;
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

    private final ChannelRegistry registry;
    private final long tickNanos;
    private volatile boolean running = true;
    private Thread thread;

    public WriterTimer(ChannelRegistry registry, Duration heartbeatInterval, Duration keepAliveInterval) {
        this.registry = registry;
        this.tickNanos = tick(heartbeatInterval, keepAliveInterval).toNanos();
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
        thread = Thread.ofPlatform().daemon(true).name("sse-writer-timer").start(this::run);
    }

    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(Duration.ofNanos(tickNanos));
            } catch (InterruptedException e) {
                return;
            }
            try {
                long now = System.nanoTime();
                registry.forEach(subscriber -> subscriber.wakeIfDue(now));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Waking due connection writers failed", e);
            }
        }
    }
}
