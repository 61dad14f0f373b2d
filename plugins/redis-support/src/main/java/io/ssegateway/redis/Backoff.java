package io.ssegateway.redis;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with jitter for reconnection attempts: 100 ms doubling up to a cap, each wait drawn between
 * half and all of the current step, so that a fleet of gateways does not reconnect in lockstep. Not thread-safe.
 */
public final class Backoff {

    /** The first step. */
    public static final Duration FIRST = Duration.ofMillis(100);

    private final long maxMillis;
    private long stepMillis = FIRST.toMillis();

    /** @param max the cap of the step (at least {@link #FIRST}) */
    public Backoff(Duration max) {
        this.maxMillis = Math.max(FIRST.toMillis(), max.toMillis());
    }

    /** The next wait; each call doubles the step, up to the cap. */
    public Duration next() {
        long step = stepMillis;
        stepMillis = Math.min(maxMillis, stepMillis * 2);
        return Duration.ofMillis(step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1));
    }

    /** Back to the first step, after a success. */
    public void reset() {
        stepMillis = FIRST.toMillis();
    }
}
