package io.ssegateway.host.core;

import java.time.Duration;

/**
 * A daemon platform thread that runs a task every {@code interval} (after sleeping it first) until {@link #stop()}.
 * An interrupt while sleeping ends it; the task handles its own failures.
 */
public final class PeriodicThread {

    private final String name;
    private final Duration interval;
    private final Runnable task;
    private volatile boolean running = true;
    private Thread thread;

    public PeriodicThread(String name, Duration interval, Runnable task) {
        this.name = name;
        this.interval = interval;
        this.task = task;
    }

    public void start() {
        thread = Thread.ofPlatform().daemon(true).name(name).start(this::run);
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
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            task.run();
        }
    }
}
