package io.ssegateway.redis;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition of the Redis fixtures, polling every 50 ms, with a deadline. */
final class Poll {

    private Poll() {
    }

    /** Returns once {@code condition} holds; {@code IllegalStateException} naming {@code what} after {@code timeout}. */
    static void until(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out waiting until " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
