package io.ssegateway.plugin.registry;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Logs at most one line per interval and says how many were suppressed in between, so an outage cannot flood the log. */
final class RateLimitedLog {

    private static final long INTERVAL_NANOS = 10_000_000_000L;

    private final Logger logger;
    private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedLog(Logger logger) {
        this.logger = logger;
    }

    void warn(String message) {
        long now = System.nanoTime();
        long allowedAt = nextAllowed.get();
        if (now - allowedAt < 0 || !nextAllowed.compareAndSet(allowedAt, now + INTERVAL_NANOS)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        logger.log(Level.WARNING, skipped == 0 ? message : message + " (" + skipped + " similar messages suppressed)");
    }
}
