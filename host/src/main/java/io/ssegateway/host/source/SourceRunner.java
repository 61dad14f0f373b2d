package io.ssegateway.host.source;

import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.spi.CancellationSignal;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the source on a virtual thread of its own and keeps it running: a {@code start} that throws or returns
 * before shutdown marks it FAILED and is called again after an exponential back-off with jitter (1 s doubling up
 * to 30 s, reset once a run lasted a minute).
 */
public final class SourceRunner {

    public enum State { STARTING, RUNNING, FAILED, STOPPED }

    private static final Logger LOG = Logger.getLogger(SourceRunner.class.getName());
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration STABLE_RUN = Duration.ofMinutes(1);

    private final MessageSource source;
    private final MessageHandler handler;
    private final ConnectionView connections;
    private final CancellationSignal cancellation = new CancellationSignal();
    private volatile State state = State.STARTING;
    private Thread thread;
    /** Completed with the first run's failure (or with null once the gateway stops); for a fail-fast start-up. */
    private final CompletableFuture<Throwable> firstRunFailure = new CompletableFuture<>();

    public SourceRunner(MessageSource source, MessageHandler handler, ConnectionView connections) {
        this.source = source;
        this.handler = handler;
        this.connections = connections;
    }

    public void start() {
        thread = Thread.ofVirtual().name("source-" + source.name()).start(this::superviseLoop);
    }

    public State state() {
        return state;
    }

    /**
     * Waits up to {@code window} for the first run of the source to fail.
     *
     * @return its failure, or {@code null} if it was still running at the end of the window
     */
    public Throwable awaitFirstRunFailure(Duration window) {
        try {
            return firstRunFailure.get(window.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException stillRunning) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException impossible) {
            return impossible.getCause();
        }
    }

    /** Cancels the source and waits up to {@code timeout} for it to return; interrupts it after that. */
    public void stop(Duration timeout) {
        cancellation.cancel();
        if (thread == null) {
            state = State.STOPPED;
            return;
        }
        try {
            if (!thread.join(timeout)) {
                LOG.warning("Source '" + source.name() + "' did not stop within " + timeout.toMillis() + " ms; interrupting it");
                thread.interrupt();
                thread.join(Duration.ofSeconds(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = State.STOPPED;
    }

    private void superviseLoop() {
        Duration backoff = FIRST_BACKOFF;
        while (!cancellation.isCancelled()) {
            long startedAt = System.nanoTime();
            state = State.RUNNING;
            Throwable failure = null;
            try {
                PluginCalls.withContextLoader(source, () -> {
                    try {
                        source.start(handler, connections, cancellation);
                    } catch (Exception e) {
                        throw new SourceFailure(e);
                    }
                    return null;
                });
            } catch (SourceFailure e) {
                failure = e.getCause();
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                failure = e;
            }
            if (cancellation.isCancelled()) {
                break;
            }
            state = State.FAILED;
            firstRunFailure.complete(failure != null ? failure
                    : new IllegalStateException("start() returned before the gateway stopped"));
            if (Duration.ofNanos(System.nanoTime() - startedAt).compareTo(STABLE_RUN) > 0) {
                backoff = FIRST_BACKOFF;
            }
            long delay = backoff.toMillis() / 2 + ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1);
            String why = failure == null ? "returned before shutdown" : "failed: " + PluginCalls.describe(source, failure);
            LOG.log(Level.WARNING, "Source '" + source.name() + "' " + why + "; restarting in " + delay + " ms", failure);
            try {
                if (cancellation.await(Duration.ofMillis(delay))) {
                    break;
                }
            } catch (InterruptedException e) {
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
        state = State.STOPPED;
        firstRunFailure.complete(null);
    }

    private static final class SourceFailure extends RuntimeException {
        SourceFailure(Exception cause) {
            super(cause);
        }
    }
}
