package io.ssegateway.spi;

import java.time.Duration;

/**
 * Tells long-running plugin code (a {@link io.ssegateway.spi.source.MessageSource#start source loop}) when to stop.
 * Thread-safe; every method may be called from any thread.
 */
public interface CancellationToken {

    /** {@code true} once the gateway has asked the holder to stop. Never goes back to {@code false}. */
    boolean isCancelled();

    /** Blocks until cancelled. */
    void await() throws InterruptedException;

    /**
     * Blocks until cancelled or the timeout passes; handy as an interruptible back-off sleep.
     *
     * @return {@code true} if cancelled
     */
    boolean await(Duration timeout) throws InterruptedException;

    /**
     * Runs {@code action} once when the token is cancelled (at once, on the calling thread, if it already is).
     * The action runs on the thread that cancels; keep it short and do not block in it.
     */
    void onCancel(Runnable action);
}
