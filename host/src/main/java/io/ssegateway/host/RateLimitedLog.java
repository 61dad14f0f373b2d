package io.ssegateway.host;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A warning that may repeat at message rate (bad messages from a source, failing appends): logged at most once
 * per interval, with the number of similar lines suppressed since the last one, so that a flood of bad input
 * never floods the log.
 */
public final class RateLimitedLog {

    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final Logger logger;
    private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger logger) {
        this.logger = logger;
    }

    public void warn(String message, Throwable cause) {
        long now = System.nanoTime();
        long allowedAt = nextAllowed.get();
        if (now - allowedAt < 0 || !nextAllowed.compareAndSet(allowedAt, now + INTERVAL_NANOS)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        String line = skipped == 0 ? message : message + " (" + skipped + " similar messages suppressed)";
        logger.log(Level.WARNING, line, cause);
    }

    public void warn(String message) {
        warn(message, null);
    }
}
