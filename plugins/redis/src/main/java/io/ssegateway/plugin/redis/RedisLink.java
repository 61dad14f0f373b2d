package io.ssegateway.plugin.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Redis server as seen by the plugin: Lettuce's client resources (its I/O threads), and a command connection that
 * is established in the background — so that an unreachable Redis at start-up is an outage to recover from, not a
 * failed start — and that Lettuce then reconnects by itself (jittered back-off up to {@code reconnect-max-delay}).
 * While it is disconnected, commands fail at once instead of queueing.
 * <p>
 * {@link #isAvailable()} never blocks: the connection is up and the last command did not time out (after a timeout,
 * a background {@code PING} at most once a second clears the mark). Thread-safe.
 */
final class RedisLink implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());
    private static final long PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RedisSettings settings;
    private final String purpose;
    private final ClientResources resources;
    private final RedisClient client;
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private final AtomicLong nextProbe = new AtomicLong(System.nanoTime());
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean stalled;
    private volatile boolean closed;
    private Thread connector;

    /** @param purpose what the link is for, in logs and thread names ({@code storage}, {@code source}) */
    RedisLink(RedisSettings settings, String purpose) {
        this.settings = settings;
        this.purpose = purpose;
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.fullJitter(Backoff.FIRST, settings.reconnectMaxDelay(), Backoff.FIRST.toMillis(),
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = newClient(true);
    }

    /**
     * A client on this link's resources. With {@code autoReconnect}, Lettuce reconnects lost connections itself and
     * rejects commands while disconnected; without it, a lost connection stays closed (the caller reconnects).
     */
    RedisClient newClient(boolean autoReconnect) {
        RedisClient created = RedisClient.create(resources, settings.uri());
        created.setOptions(ClientOptions.builder()
                .autoReconnect(autoReconnect)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(settings.timeout()).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .build());
        return created;
    }

    RedisSettings settings() {
        return settings;
    }

    /** Starts connecting in the background (once); see {@link #awaitConnected}. */
    synchronized RedisLink connect() {
        if (connector == null && !closed) {
            connector = Thread.ofVirtual().name("redis-" + purpose + "-connect").start(this::connectLoop);
        }
        return this;
    }

    /**
     * Waits for the outcome of the first connection attempt (at most {@code limit}): a reachable Redis is connected when
     * this returns {@code true}; an unreachable one costs no more than its refusal or the connect timeout.
     *
     * @return whether connected (if not, the link keeps trying in the background)
     */
    boolean awaitFirstAttempt(Duration limit) {
        try {
            firstAttempt.await(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return connection != null;
    }

    /** Connected, and the last command did not time out. Never blocks. */
    boolean isAvailable() {
        StatefulRedisConnection<String, String> current = connection;
        if (current == null || !current.isOpen()) {
            return false;
        }
        if (stalled) {
            probe(current);
            return false;
        }
        return true;
    }

    /**
     * Runs commands on the connection (synchronously, each bounded by {@code timeout}).
     *
     * @throws RedisException not connected, timed out, or Redis answered with an error
     */
    <T> T call(Function<RedisCommands<String, String>, T> commands) {
        StatefulRedisConnection<String, String> current = connection;
        if (current == null) {
            throw new RedisException("not connected to Redis " + settings.display() + " (still trying)");
        }
        try {
            T result = commands.apply(current.sync());
            stalled = false;
            return result;
        } catch (RedisCommandTimeoutException e) {
            stalled = true;
            throw e;
        }
    }

    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            running = connector;
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2)); // closes the connection too
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private void connectLoop() {
        Backoff backoff = new Backoff(settings.reconnectMaxDelay());
        int failures = 0;
        while (!closed) {
            try {
                StatefulRedisConnection<String, String> opened = client.connect(StringCodec.UTF8, settings.uri());
                synchronized (this) {
                    if (closed) {
                        opened.closeAsync();
                        return;
                    }
                    connection = opened;
                }
                LOG.info("Connected to Redis " + settings.display() + " for the " + purpose
                        + (failures > 0 ? " after " + failures + " failed attempts" : ""));
                firstAttempt.countDown();
                return;
            } catch (RuntimeException e) {
                failures++;
                Level level = failures == 1 || failures % 100 == 0 ? Level.WARNING : Level.FINE;
                LOG.log(level, "Cannot connect to Redis " + settings.display() + " for the " + purpose + " (attempt "
                        + failures + "), retrying: " + describe(e));
                firstAttempt.countDown();
            }
            try {
                Thread.sleep(backoff.next());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The message of an exception and of its causes, for one-line logs. */
    static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(": ").append(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        }
        return text.toString();
    }

    /** After a timeout: a {@code PING} at most once a second; its answer clears the stalled mark. */
    private void probe(StatefulRedisConnection<String, String> current) {
        long now = System.nanoTime();
        long due = nextProbe.get();
        if (now - due < 0 || !nextProbe.compareAndSet(due, now + PROBE_INTERVAL_NANOS)) {
            return;
        }
        current.async().ping().whenComplete((pong, error) -> {
            if (error == null) {
                stalled = false;
            }
        });
    }
}
