package io.ssegateway.plugin.redis;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with jitter for reconnection attempts: 100 ms doubling up to a cap, each wait drawn between
 * half and all of the current step, so that a fleet of gateways does not reconnect in lockstep. Not thread-safe.
 */
final class Backoff {

    static final Duration FIRST = Duration.ofMillis(100);

    private final long maxMillis;
    private long stepMillis = FIRST.toMillis();

    Backoff(Duration max) {
        this.maxMillis = Math.max(FIRST.toMillis(), max.toMillis());
    }

    /** The next wait; each call doubles the step, up to the cap. */
    Duration next() {
        long step = stepMillis;
        stepMillis = Math.min(maxMillis, stepMillis * 2);
        return Duration.ofMillis(step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1));
    }

    /** Back to the first step, after a success. */
    void reset() {
        stepMillis = FIRST.toMillis();
    }
}
