package io.ssegateway.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Redis server, Sentinel-managed master or Redis Cluster as a plugin sees it: Lettuce's client resources (its I/O
 * threads), and a command connection that is established in the background — so that an unreachable Redis at
 * start-up is an outage to recover from, not a failed start — and that Lettuce then reconnects by itself (jittered
 * back-off up to {@code reconnect-max-delay}). While it is disconnected, commands fail at once instead of queueing
 * (on a cluster, a command waits for its node's connection, at most {@code timeout}).
 * <p>
 * Every time the command connection is (re)established, the {@code onConnected} action runs, so that its owner can
 * write its state again (Redis may have restarted empty); on a cluster or through Sentinel only when the link's
 * connection is first established, since it reconnects node by node. {@link #isAvailable()} never blocks: the
 * connection is up and the last command did not time out (after a timeout, a background {@code PING} at most once a second clears the
 * mark; on a cluster, the probe also asks that the cluster state is {@code ok} and that every master answers).
 * <p>
 * On a Redis Cluster the command connection is Lettuce's cluster connection, which routes each command by its key's
 * slot and refreshes the cluster's topology every {@code cluster-refresh-period} and whenever a redirection or
 * repeated reconnections suggest a change, so that a master's failover to its replica is followed. Through Sentinel it
 * is Lettuce's master/replica connection, which listens to the sentinels' events and moves to the master they
 * promote. Thread-safe.
 */
public final class RedisLink implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());
    private static final long PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RedisSettings settings;
    private final String purpose;
    private final Runnable onConnected;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private final AtomicLong nextProbe = new AtomicLong(System.nanoTime());
    private volatile StatefulConnection<String, String> connection;
    private volatile boolean stalled;
    private volatile boolean closed;
    private Thread connector;

    /**
     * @param purpose     what the link is for, in logs and thread names ({@code stream storage}, {@code channel registry})
     * @param onConnected run on a Lettuce or connector thread each time the command connection is (re)established
     */
    public RedisLink(RedisSettings settings, String purpose, Runnable onConnected) {
        this.settings = settings;
        this.purpose = purpose;
        this.onConnected = onConnected;
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.fullJitter(Backoff.FIRST, settings.reconnectMaxDelay(), Backoff.FIRST.toMillis(),
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = settings.isCluster() ? newClusterClient(true) : newClient(true);
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                // on a cluster or through Sentinel the handlers are node connections under the link's connection,
                // topology reads included: those come and go all the time, so they run nothing (an owner that must
                // notice a node that came back empty checks its own records, as the registry's heartbeat does)
                if (handler == connection) {
                    LOG.info("Reconnected to Redis " + settings.display() + " for the " + purpose);
                    onConnected.run();
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                if (handler == connection && !closed) {
                    LOG.warning("Lost the connection to Redis " + settings.display() + " for the " + purpose
                            + "; reconnecting");
                }
            }
        });
    }

    /** A link whose owner has nothing to do when it (re)connects. */
    public RedisLink(RedisSettings settings, String purpose) {
        this(settings, purpose, () -> { });
    }

    /**
     * A client on this link's resources. With {@code autoReconnect}, Lettuce reconnects lost connections itself and
     * rejects commands while disconnected; without it, a lost connection stays closed (the caller reconnects).
     */
    public RedisClient newClient(boolean autoReconnect) {
        if (settings.isCluster()) {
            throw new IllegalStateException("the link is on a Redis Cluster: use newPubSubClient or call");
        }
        RedisClient created = RedisClient.create(resources, settings.uri());
        created.setOptions(ClientOptions.builder()
                .autoReconnect(autoReconnect)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(settings.timeout()).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .build());
        return created;
    }

    /** A cluster client on this link's resources and seed nodes; {@code autoReconnect} as in {@link #newClient}. */
    private RedisClusterClient newClusterClient(boolean autoReconnect) {
        RedisClusterClient created = RedisClusterClient.create(resources, settings.clusterNodes());
        created.setOptions(ClusterClientOptions.builder()
                .autoReconnect(autoReconnect)
                // a cluster opens node connections on first use; rejecting would fail a command on a node not yet
                // connected. Commands wait for their node instead, bounded by the command timeout
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(settings.timeout()).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(settings.clusterRefreshPeriod())
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .build())
                .build());
        return created;
    }

    /**
     * A client for one Pub/Sub connection at a time, on this link's resources, that does not reconnect by itself (its
     * owner subscribes again when it loses the connection). On a cluster, the connection is to one node: classic
     * Pub/Sub messages reach every node of a cluster.
     */
    public PubSubClient newPubSubClient() {
        if (settings.isCluster()) {
            RedisClusterClient cluster = newClusterClient(false);
            return new PubSubClient(cluster, () -> cluster.connectPubSub(StringCodec.UTF8));
        }
        RedisClient single = newClient(false);
        return new PubSubClient(single, () -> single.connectPubSub(StringCodec.UTF8, settings.uri()));
    }

    /**
     * A client for Pub/Sub connections: {@link #connect()} opens one (throws {@link RedisException} if it cannot);
     * listen to its connection state with {@code client().addListener}.
     */
    public record PubSubClient(AbstractRedisClient client,
                               Supplier<StatefulRedisPubSubConnection<String, String>> connector) {

        public StatefulRedisPubSubConnection<String, String> connect() {
            return connector.get();
        }

        public void shutdown() {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    public RedisSettings settings() {
        return settings;
    }

    /** Starts connecting in the background (once); see {@link #awaitFirstAttempt}. */
    public synchronized RedisLink connect() {
        if (connector == null && !closed) {
            connector = Thread.ofVirtual().name("redis-connect-" + purpose.replace(' ', '-')).start(this::connectLoop);
        }
        return this;
    }

    /**
     * Waits for the outcome of the first connection attempt (at most {@code limit}): a reachable Redis is connected when
     * this returns {@code true}; an unreachable one costs no more than its refusal or the connect timeout.
     *
     * @return whether connected (if not, the link keeps trying in the background)
     */
    public boolean awaitFirstAttempt(Duration limit) {
        try {
            firstAttempt.await(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return connection != null;
    }

    /** The command connection is up right now. Never blocks. */
    public boolean isConnected() {
        StatefulConnection<String, String> current = connection;
        return current != null && current.isOpen();
    }

    /** Connected, and the last command did not time out. Never blocks. */
    public boolean isAvailable() {
        if (!isConnected()) {
            return false;
        }
        if (stalled) {
            probe(connection);
            return false;
        }
        return !(connection instanceof StatefulRedisClusterConnection<String, String> cluster)
                || ClusterHealth.isCovered(cluster);
    }

    /**
     * Runs commands on the connection (synchronously, each bounded by {@code timeout}).
     *
     * @throws RedisException not connected, timed out, or Redis answered with an error
     */
    public <T> T call(Function<RedisClusterCommands<String, String>, T> commands) {
        StatefulConnection<String, String> current = connected();
        try {
            T result = commands.apply(current instanceof StatefulRedisClusterConnection<String, String> cluster
                    ? cluster.sync() : ((StatefulRedisConnection<String, String>) current).sync());
            stalled = false;
            return result;
        } catch (RedisCommandTimeoutException e) {
            stalled = true;
            throw e;
        }
    }

    /**
     * Runs commands on the one connection to the server that holds {@code key}: on a single server or Sentinel the
     * command connection; on a cluster the connection to the master of the key's slot, which the commands must only
     * use for keys of that slot. For commands that must follow each other on one connection ({@code WAIT} after a
     * write). A redirection (the slot moved) refreshes the topology and tries once more on the new master.
     *
     * @throws RedisException not connected, timed out, or Redis answered with an error
     */
    public <T> T callOn(String key, Function<RedisCommands<String, String>, T> commands) {
        StatefulConnection<String, String> current = connected();
        try {
            if (!(current instanceof StatefulRedisClusterConnection<String, String> cluster)) {
                T result = commands.apply(((StatefulRedisConnection<String, String>) current).sync());
                stalled = false;
                return result;
            }
            try {
                T result = commands.apply(ClusterHealth.masterOf(cluster, key).sync());
                stalled = false;
                return result;
            } catch (RedisException e) {
                String message = String.valueOf(e.getMessage());
                if (!message.startsWith("MOVED") && !message.startsWith("ASK") && !message.startsWith("CLUSTERDOWN")
                        && !message.startsWith("READONLY")) {
                    throw e;
                }
                ((RedisClusterClient) client).refreshPartitions();
                T result = commands.apply(ClusterHealth.masterOf(cluster, key).sync());
                stalled = false;
                return result;
            }
        } catch (RedisCommandTimeoutException e) {
            stalled = true;
            throw e;
        }
    }

    private StatefulConnection<String, String> connected() {
        StatefulConnection<String, String> current = connection;
        if (current == null) {
            throw new RedisException("not connected to Redis " + settings.display() + " (still trying)");
        }
        return current;
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
                StatefulConnection<String, String> opened = client instanceof RedisClusterClient cluster
                        ? cluster.connect(StringCodec.UTF8)
                        : settings.isSentinel()
                        // follows the master the sentinels name, also when the old one hangs without disconnecting
                        ? MasterReplica.connect((RedisClient) client, StringCodec.UTF8, settings.uri())
                        : ((RedisClient) client).connect(StringCodec.UTF8, settings.uri());
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
                onConnected.run();
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

    /** The message of an exception and of its causes, for one-line logs and error replies. */
    public static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(": ").append(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        }
        return text.toString();
    }

    /**
     * After a timeout: a {@code PING} at most once a second; its answer clears the stalled mark. On a cluster, a
     * {@code PING} to every master and {@code CLUSTER INFO} saying {@code cluster_state:ok}.
     */
    private void probe(StatefulConnection<String, String> current) {
        long now = System.nanoTime();
        long due = nextProbe.get();
        if (now - due < 0 || !nextProbe.compareAndSet(due, now + PROBE_INTERVAL_NANOS)) {
            return;
        }
        if (!(current instanceof StatefulRedisClusterConnection<String, String> cluster)) {
            ((StatefulRedisConnection<String, String>) current).async().ping().whenComplete((pong, error) -> {
                if (error == null) {
                    stalled = false;
                }
            });
            return;
        }
        ClusterHealth.probe(cluster, settings.timeout()).whenComplete((all, error) -> {
            if (error == null) {
                stalled = false;
            }
        });
    }
}
