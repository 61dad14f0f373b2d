package io.ssegateway.kit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A warning that may repeat at message rate (bad input from a broker, a failing backend): logged at most once per
 * interval, with the number of similar lines suppressed since the last one, so that a flood of bad input or an outage
 * never floods the log. Thread-safe; for the gateway and for plugins alike.
 */
public final class RateLimitedLog {

    private final Logger logger;
    private final long intervalNanos;
    private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    /** At most one line a second. */
    public RateLimitedLog(Logger logger) {
        this(logger, Duration.ofSeconds(1));
    }

    public RateLimitedLog(Logger logger, Duration interval) {
        this.logger = logger;
        this.intervalNanos = interval.toNanos();
    }

    public void warn(String message) {
        warn(message, null);
    }

    /** Logs {@code message} (and {@code cause}, if any) at WARNING unless a line was logged within the interval. */
    public void warn(String message, Throwable cause) {
        long now = System.nanoTime();
        long allowedAt = nextAllowed.get();
        if (now - allowedAt < 0 || !nextAllowed.compareAndSet(allowedAt, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        String line = skipped == 0 ? message : message + " (" + skipped + " similar messages suppressed)";
        logger.log(Level.WARNING, line, cause);
    }
}
