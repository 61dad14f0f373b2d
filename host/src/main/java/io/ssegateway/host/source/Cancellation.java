package io.ssegateway.host.source;

import io.ssegateway.spi.CancellationToken;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The host's {@link CancellationToken}: cancelled once, by {@link #cancel()}. */
final class Cancellation implements CancellationToken {

    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final List<Runnable> actions = new ArrayList<>();

    void cancel() {
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
