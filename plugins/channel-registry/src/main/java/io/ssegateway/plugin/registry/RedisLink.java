package io.ssegateway.plugin.registry;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The registry's connection to Redis: established in the background, so that an unreachable Redis at start-up is an
 * outage to recover from rather than a failed start, and then reconnected by Lettuce itself (jittered back-off up to
 * {@code reconnect-max-delay}). While disconnected, commands fail at once instead of queueing. Every time the
 * connection is (re)established, {@code onConnected} runs, so that the owner can write its state again (Redis may
 * have restarted empty). Thread-safe.
 */
final class RedisLink implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());
    private static final long FIRST_RETRY_MILLIS = 100;

    private final RegistrySettings settings;
    private final Runnable onConnected;
    private final ClientResources resources;
    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean closed;
    private Thread connector;

    RedisLink(RegistrySettings settings, Runnable onConnected) {
        this.settings = settings;
        this.onConnected = onConnected;
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.fullJitter(Duration.ofMillis(FIRST_RETRY_MILLIS), settings.reconnectMaxDelay(),
                        FIRST_RETRY_MILLIS, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, settings.redis());
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(settings.timeout()).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                if (handler == connection) {
                    LOG.info("Reconnected to Redis " + settings.redisDisplay() + " for the channel registry");
                    onConnected.run();
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                if (handler == connection && !closed) {
                    LOG.warning("Lost the connection to Redis " + settings.redisDisplay()
                            + " for the channel registry; reconnecting");
                }
            }
        });
    }

    /** Starts connecting in the background (once). */
    synchronized void connect() {
        if (connector == null && !closed) {
            connector = Thread.ofVirtual().name("channel-registry-redis-connect").start(this::connectLoop);
        }
    }

    /** Connected right now. Never blocks. */
    boolean isConnected() {
        StatefulRedisConnection<String, String> current = connection;
        return current != null && current.isOpen();
    }

    /**
     * Runs commands on the connection (synchronously, each bounded by {@code timeout}).
     *
     * @throws RedisException not connected, timed out, or Redis answered with an error
     */
    <T> T call(Function<RedisCommands<String, String>, T> commands) {
        StatefulRedisConnection<String, String> current = connection;
        if (current == null) {
            throw new RedisException("not connected to Redis " + settings.redisDisplay() + " (still trying)");
        }
        return commands.apply(current.sync());
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
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private void connectLoop() {
        long step = FIRST_RETRY_MILLIS;
        int failures = 0;
        while (!closed) {
            try {
                StatefulRedisConnection<String, String> opened = client.connect(StringCodec.UTF8, settings.redis());
                synchronized (this) {
                    if (closed) {
                        opened.closeAsync();
                        return;
                    }
                    connection = opened;
                }
                LOG.info("Connected to Redis " + settings.redisDisplay() + " for the channel registry"
                        + (failures > 0 ? " after " + failures + " failed attempts" : ""));
                onConnected.run();
                return;
            } catch (RuntimeException e) {
                failures++;
                Level level = failures == 1 || failures % 100 == 0 ? Level.WARNING : Level.FINE;
                LOG.log(level, "Cannot connect to Redis " + settings.redisDisplay() + " for the channel registry "
                        + "(attempt " + failures + "), retrying: " + describe(e));
            }
            try {
                Thread.sleep(step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1));
            } catch (InterruptedException e) {
                return;
            }
            step = Math.min(settings.reconnectMaxDelay().toMillis(), step * 2);
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
}
