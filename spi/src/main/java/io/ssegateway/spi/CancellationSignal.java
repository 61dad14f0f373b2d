package io.ssegateway.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CancellationToken} that its owner cancels, once, with {@link #cancel()}: the one the gateway hands a source,
 * and the one a plugin's own code or tests use to drive a source outside a gateway. Actions registered with
 * {@link #onCancel} run exactly once: on {@link #cancel()}, or at once if it was already cancelled.
 */
public final class CancellationSignal implements CancellationToken {

    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final List<Runnable> actions = new ArrayList<>();

    /** Cancels: {@link #isCancelled()} turns true, waiters return, registered actions run (on this thread). */
    public void cancel() {
        List<Runnable> toRun;
        synchronized (actions) {
            if (cancelled.getCount() == 0) {
                return;
            }
            cancelled.countDown();
            toRun = List.copyOf(actions);
            actions.clear();
        }
        toRun.forEach(Runnable::run);
    }

    @Override
    public boolean isCancelled() {
        return cancelled.getCount() == 0;
    }

    @Override
    public void await() throws InterruptedException {
        cancelled.await();
    }

    @Override
    public boolean await(Duration timeout) throws InterruptedException {
        return cancelled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void onCancel(Runnable action) {
        synchronized (actions) {
            if (cancelled.getCount() != 0) {
                actions.add(action);
                return;
            }
        }
        action.run();
    }
}
