package io.ssegateway.host;

import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.ssegateway.host.admin.AdminGuard;
import io.ssegateway.host.admin.AdminService;
import io.ssegateway.host.admin.DashboardService;
import io.ssegateway.host.admin.GatewayStatus;
import io.ssegateway.host.admin.HealthService;
import io.ssegateway.host.admin.MetricsService;
import io.ssegateway.host.channel.ChannelRegistry;
import io.ssegateway.host.channel.CloseReason;
import io.ssegateway.host.channel.Dispatcher;
import io.ssegateway.host.sse.SseEndpoint;
import io.ssegateway.host.sse.WriterTimer;
import io.ssegateway.spi.ConnectionManager;
import io.ssegateway.spi.auth.Authenticator;
import io.ssegateway.spi.lifecycle.ConnectionListener;
import io.ssegateway.spi.source.BusSource;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.storage.MessageStorage;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An SSE gateway: a Helidon SE WebServer on virtual threads serving {@code /sse/connect}, the admin API,
 * {@code /health}, {@code /ready} and {@code /metrics}, fed by one {@link MessageSource} and backed by one
 * {@link MessageStorage}.
 * <pre>{@code
 * Gateway gateway = Gateway.builder()
 *     .port(8080)
 *     .source(new NoopSource())
 *     .storage(new MemoryStorage())
 *     .build();
 * gateway.run();   // blocks until shutdown (SIGTERM or stop())
 * }</pre>
 */
public final class Gateway {

    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

    private final GatewaySettings settings;
    private final MessageSource source;
    private final MessageStorage storage;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final ChannelRegistry registry;
    private final Dispatcher dispatcher;
    private final SseEndpoint sseEndpoint;
    private final SourceRunner sourceRunner;
    private final WriterTimer writerTimer;
    private final Supplier<List<GatewayStatus.PluginState>> plugins;
    private final List<Runnable> onStop;
    private final Status status = new Status();
    private final WebServer server;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile long startedAtNanos;

    private Gateway(Builder builder, GatewaySettings settings) {
        this.settings = settings;
        this.source = builder.source;
        this.storage = builder.storage;
        this.plugins = builder.plugins;
        this.onStop = List.copyOf(builder.onStop);
        this.registry = new ChannelRegistry(settings.instanceId());
        this.dispatcher = new Dispatcher(registry, storage, metrics, settings.maxMessageBytes());
        PluginCalls pluginCalls = new PluginCalls(metrics);
        this.sseEndpoint = new SseEndpoint(settings, registry, storage, source, builder.auth, builder.listeners,
                pluginCalls, metrics);
        this.sourceRunner = new SourceRunner(source, dispatcher, registry);
        if (source instanceof BusSource bus) {
            try {
                PluginCalls.withContextLoader(bus, () -> {
                    bus.useStorage(storage);
                    return null;
                });
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Invalid gateway configuration: source '" + source.name()
                        + "' cannot work with storage '" + storage.name() + "': " + e.getMessage(), e);
            }
        }
        this.writerTimer = new WriterTimer(registry, settings.heartbeatInterval(), settings.cleanupInterval());
        WebServerConfig.Builder web = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .shutdownHook(false)
                // Memory per idle SSE connection: the NIO socket keeps an 8 KiB read and an 8 KiB write buffer for
                // the connection's life, the plain socket one 8 KiB read buffer and writes from the caller's array.
                .useNio(false)
                // No 4 KiB BufferedOutputStream per response: ConnectionWriter batches frames itself, and every
                // other response is sent whole.
                .writeBufferSize(0)
                .routing(this::routing);
        if (settings.socketSendBuffer() > 0) {
            web.connectionOptions(SocketOptions.builder().socketSendBufferSize(settings.socketSendBuffer()).build());
        }
        this.server = web.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    private void routing(HttpRouting.Builder routing) {
        routing.register(new HealthService(status))
                .register(new MetricsService(metrics, registry, status))
                .get("/sse/connect", sseEndpoint)
                .options("/sse/connect", sseEndpoint.preflight())
                .any("/sse/connect", Json.methodNotAllowed("GET /sse/connect"))
                .any("/health", Json.methodNotAllowed("GET /health"))
                .any("/ready", Json.methodNotAllowed("GET /ready"))
                .any("/metrics", Json.methodNotAllowed("GET /metrics"));
        if (settings.dashboard()) {
            AdminGuard guard = new AdminGuard(settings.adminToken());
            AdminService admin = new AdminService(guard, dispatcher, registry, metrics, status, settings,
                    source instanceof BusSource bus ? bus : null);
            routing.register("/api", admin)
                    .register(new DashboardService(guard, admin, status, settings.retryAfter()));
        }
        routing.any((request, response) -> Json.error(response, 404, "no route for " + request.prologue().method().text()
                        + " " + request.path().rawPath()))
                .error(Throwable.class, (request, response, error) -> {
                    LOG.log(Level.SEVERE, "Unhandled error on " + request.path().rawPath(), error);
                    if (!response.isSent()) {
                        Json.error(response, 500, "internal error");
                    }
                });
    }

    /** Binds the port and starts the source. Returns at once; the gateway serves until {@link #stop()}. */
    public Gateway start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the gateway was already started");
        }
        // the source starts first, so that its fail-fast window overlaps the server's start-up
        long sourceStartedAt = System.nanoTime();
        writerTimer.start();
        sourceRunner.start();
        try {
            server.start();
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        startedAtNanos = System.nanoTime();
        if (!settings.sourceStartCheck().isZero()) {
            Duration rest = settings.sourceStartCheck().minusNanos(System.nanoTime() - sourceStartedAt);
            Throwable failure = sourceRunner.awaitFirstRunFailure(rest.isNegative() ? Duration.ZERO : rest);
            if (failure != null) {
                stop();
                throw new IllegalStateException("source '" + source.name() + "' failed to start: " + failure, failure);
            }
        }
        LOG.info(() -> "sse-gateway " + settings.instanceId() + " listening on " + settings.host() + ":" + port()
                + " (source " + source.name() + ", storage " + storage.name() + ", max " + settings.maxConnections()
                + " connections)");
        if (settings.dashboard() && settings.adminToken() == null) {
            LOG.warning("gateway.admin.token is not set: the admin API (/api/send, /api/stats) answers loopback clients only");
        }
        return this;
    }

    /** Starts, then blocks until the gateway is stopped (by {@link #stop()} or, through a shutdown hook, JVM exit). */
    public void run() {
        start();
        Thread hook = new Thread(this::stop, "sse-gateway-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        awaitStopped();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook itself is what stopped us
        }
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Graceful shutdown: refuse new subscriptions, stop the source, end every stream (each gets its
     * {@code onDisconnect}) within {@code gateway.shutdown-grace}, stop the server, close the storage.
     * Idempotent; a second caller waits for the first.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        int open = registry.connectionCount();
        LOG.info(() -> "Shutting down: " + open + " connections to close within " + settings.shutdownGrace().toMillis() + " ms");
        try {
            sseEndpoint.stopAccepting();
            if (started.get()) {
                sourceRunner.stop(remaining(deadline, settings.shutdownGrace().dividedBy(2)));
            }
            registry.forEach(subscriber -> subscriber.close(CloseReason.SHUTDOWN));
            if (!awaitNoConnections(deadline)) {
                LOG.warning(registry.connectionCount() + " connections still writing after the grace period; aborting them");
                registry.forEach(subscriber -> subscriber.abort());
                awaitNoConnections(System.nanoTime() + Duration.ofSeconds(1).toNanos());
            }
            writerTimer.stop();
            if (server.isRunning()) {
                server.stop();
            }
            runQuietly(() -> PluginCalls.withContextLoader(storage, () -> {
                storage.close();
                return null;
            }), "storage close");
            for (Runnable action : onStop) {
                runQuietly(action, "shutdown action");
            }
            LOG.info("sse-gateway " + settings.instanceId() + " stopped");
        } finally {
            stopped.countDown();
        }
    }

    private boolean awaitNoConnections(long deadlineNanos) {
        while (registry.connectionCount() > 0) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static Duration remaining(long deadlineNanos, Duration cap) {
        Duration left = Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
        return left.compareTo(cap) < 0 ? left : cap;
    }

    private static void runQuietly(Runnable action, String what) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, what + " failed", e);
        }
    }

    /** The bound port (useful with {@code port(0)}). */
    public int port() {
        return server.port();
    }

    public String instanceId() {
        return settings.instanceId();
    }

    /** This instance's connections, read-only. */
    public ConnectionManager connections() {
        return registry;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public GatewaySettings settings() {
        return settings;
    }

    /** What {@code /ready}, {@code /api/stats} and {@code /metrics} report. */
    private final class Status implements GatewayStatus {
        @Override
        public String sourceName() {
            return source.name();
        }

        @Override
        public String sourceState() {
            return sourceRunner.state().name();
        }

        @Override
        public boolean sourceReady() {
            return sourceRunner.state() == SourceRunner.State.RUNNING && available(source::isAvailable);
        }

        @Override
        public String storageName() {
            return storage.name();
        }

        @Override
        public boolean storageAvailable() {
            return available(() -> PluginCalls.withContextLoader(storage, storage::isAvailable));
        }

        @Override
        public List<PluginState> plugins() {
            return plugins.get();
        }

        @Override
        public Duration uptime() {
            return startedAtNanos == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - startedAtNanos);
        }

        @Override
        public boolean shuttingDown() {
            return stopping.get();
        }

        private boolean available(java.util.function.BooleanSupplier check) {
            try {
                return check.getAsBoolean();
            } catch (RuntimeException e) {
                return false;
            }
        }
    }

    /** Builds a {@link Gateway}; {@link #build()} says what is missing or invalid. */
    public static final class Builder {

        private String host = "0.0.0.0";
        private int port = 8080;
        private MessageSource source;
        private MessageStorage storage;
        private Authenticator auth;
        private final List<ConnectionListener> listeners = new ArrayList<>();
        private String instanceId;
        private boolean dashboard = true;
        private Duration heartbeatInterval = Duration.ofSeconds(30);
        private Duration cleanupInterval = Duration.ofSeconds(30);
        private String adminToken;
        private List<String> corsAllowedOrigins = List.of();
        private int maxConnections = -1;
        private int maxConnectionsPerIp;
        private int connectionQueue = 1024;
        private int maxMessageBytes = 1024 * 1024;
        private Duration retry = Duration.ofSeconds(3);
        private Duration retryJitter = Duration.ofSeconds(2);
        private Duration retryAfter = Duration.ofSeconds(5);
        private Duration shutdownGrace = Duration.ofSeconds(5);
        private Duration sourceStartCheck = Duration.ZERO;
        private int socketSendBuffer;
        private Supplier<List<GatewayStatus.PluginState>> plugins = List::of;
        private final List<Runnable> onStop = new ArrayList<>();

        private Builder() {
        }

        /** The address to bind, default {@code 0.0.0.0}. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Default 8080; 0 picks any free port (see {@link Gateway#port()}). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Required: where messages come from. */
        public Builder source(MessageSource source) {
            this.source = source;
            return this;
        }

        /** Required: the replay history. */
        public Builder storage(MessageStorage storage) {
            this.storage = storage;
            return this;
        }

        /** Decides who may subscribe; default: everyone. */
        public Builder auth(Authenticator auth) {
            this.auth = auth;
            return this;
        }

        /** Adds a listener told of every connection and disconnection. */
        public Builder listener(ConnectionListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Default: a random UUID. */
        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        /** Default {@code true}: the dashboard, {@code /api/stats} and {@code /api/send}. */
        public Builder dashboard(boolean dashboard) {
            this.dashboard = dashboard;
            return this;
        }

        /** Default 30 s; {@link Duration#ZERO} disables heartbeats. */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = Objects.requireNonNull(interval, "heartbeatInterval");
            return this;
        }

        /** Idle time after which a keep-alive comment probes the connection (dead ones are dropped); default 30 s. */
        public Builder cleanupInterval(Duration interval) {
            this.cleanupInterval = Objects.requireNonNull(interval, "cleanupInterval");
            return this;
        }

        /** Protects the admin API with {@code Authorization: Bearer <token>}; without one it is loopback-only. */
        public Builder adminToken(String token) {
            this.adminToken = token == null || token.isBlank() ? null : token;
            return this;
        }

        /** Origins allowed to subscribe with credentials; empty (default) allows any origin without credentials. */
        public Builder corsAllowedOrigins(List<String> origins) {
            this.corsAllowedOrigins = List.copyOf(origins);
            return this;
        }

        /** Most SSE connections on this instance; default: the open-files limit less a reserve. */
        public Builder maxConnections(int max) {
            this.maxConnections = max;
            return this;
        }

        /** Most SSE connections per client address; 0 (default) for no limit. */
        public Builder maxConnectionsPerIp(int max) {
            this.maxConnectionsPerIp = max;
            return this;
        }

        /** Events that may wait for one connection before it is closed as a slow consumer; default 1024. */
        public Builder connectionQueue(int events) {
            this.connectionQueue = events;
            return this;
        }

        /** Largest {@code data} accepted, in UTF-8 bytes; default 1 MiB. */
        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        /** The {@code retry:} sent at the start of each stream is {@code retry} plus up to {@code jitter}; 3 s + 2 s. */
        public Builder retry(Duration retry, Duration jitter) {
            this.retry = Objects.requireNonNull(retry, "retry");
            this.retryJitter = Objects.requireNonNull(jitter, "jitter");
            return this;
        }

        /** The {@code Retry-After} of 503 answers; default 5 s. */
        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
            return this;
        }

        /** How long shutdown waits for streams to end; default 5 s. */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = Objects.requireNonNull(grace, "shutdownGrace");
            return this;
        }

        /**
         * Makes {@link Gateway#start()} wait up to {@code window} and fail (stopping the gateway) if the source's
         * {@code start} throws or returns in that time — a fail-fast start-up for a broken or misconfigured source.
         * Default zero: no wait; a failing source is reported and restarted with back-off.
         */
        public Builder sourceStartCheck(Duration window) {
            this.sourceStartCheck = Objects.requireNonNull(window, "window");
            return this;
        }

        /**
         * {@code SO_SNDBUF} of the accepted connections, in bytes; 0 (default) leaves it to the OS, whose auto-tuning
         * lets one connection buffer up to {@code net.ipv4.tcp_wmem}'s maximum (4 MiB on Linux). A fixed size bounds
         * the kernel memory of every connection and lets a client that stopped reading overflow its queue, and be
         * dropped, after that much rather than after megabytes.
         */
        public Builder socketSendBuffer(int bytes) {
            this.socketSendBuffer = bytes;
            return this;
        }

        /** What {@code /api/stats} lists as plugins (the plugin loader supplies it). */
        public Builder plugins(Supplier<List<GatewayStatus.PluginState>> plugins) {
            this.plugins = Objects.requireNonNull(plugins, "plugins");
            return this;
        }

        /** An action run at the end of {@link Gateway#stop()}, after the storage closed (plugin unloading). */
        public Builder onStop(Runnable action) {
            onStop.add(Objects.requireNonNull(action, "action"));
            return this;
        }

        /** @throws IllegalStateException naming what is missing or invalid */
        public Gateway build() {
            List<String> problems = new ArrayList<>();
            if (source == null) {
                problems.add("a source is required: .source(new NoopSource())");
            }
            if (storage == null) {
                problems.add("a storage is required: .storage(new MemoryStorage())");
            }
            if (port < 0 || port > 65535) {
                problems.add("port must be between 0 and 65535, not " + port);
            }
            if (heartbeatInterval.isNegative()) {
                problems.add("heartbeatInterval must not be negative");
            }
            if (cleanupInterval.isNegative() || cleanupInterval.isZero()) {
                problems.add("cleanupInterval must be positive");
            }
            if (connectionQueue < 1) {
                problems.add("connectionQueue must be at least 1, not " + connectionQueue);
            }
            if (maxMessageBytes < 1) {
                problems.add("maxMessageBytes must be at least 1, not " + maxMessageBytes);
            }
            if (socketSendBuffer < 0) {
                problems.add("socketSendBuffer must not be negative (0 leaves it to the OS)");
            }
            if (maxConnectionsPerIp < 0) {
                problems.add("maxConnectionsPerIp must not be negative");
            }
            if (maxConnections == 0 || maxConnections < -1) {
                problems.add("maxConnections must be positive, not " + maxConnections);
            }
            if (retry.isNegative() || retryJitter.isNegative() || retryAfter.isNegative() || shutdownGrace.isNegative()
                    || sourceStartCheck.isNegative()) {
                problems.add("retry, retry jitter, retryAfter, shutdownGrace and sourceStartCheck must not be negative");
            }
            if (corsAllowedOrigins.contains("*")) {
                problems.add("corsAllowedOrigins lists origins allowed with credentials; '*' is not one (leave it empty to allow any origin)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("Invalid gateway configuration: " + String.join("; ", problems));
            }
            GatewaySettings settings = new GatewaySettings(host, port,
                    instanceId == null || instanceId.isBlank() ? UUID.randomUUID().toString() : instanceId,
                    dashboard, heartbeatInterval, cleanupInterval, adminToken, corsAllowedOrigins,
                    maxConnections == -1 ? defaultMaxConnections() : maxConnections, maxConnectionsPerIp,
                    connectionQueue, maxMessageBytes, retry, retryJitter, retryAfter, shutdownGrace, sourceStartCheck,
                    socketSendBuffer);
            return new Gateway(this, settings);
        }

        /** The open-files limit less a reserve for the listener, storage and plugin sockets, logs and jars. */
        static int defaultMaxConnections() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
                long limit = unix.getMaxFileDescriptorCount();
                return (int) Math.max(64, Math.min(Integer.MAX_VALUE, limit - 256));
            }
            return 10_000;
        }
    }
}
