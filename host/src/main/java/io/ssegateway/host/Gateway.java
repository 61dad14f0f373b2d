package io.ssegateway.host;

import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http.HttpRouting;
import io.ssegateway.host.admin.AdminGuard;
import io.ssegateway.host.admin.AdminService;
import io.ssegateway.host.admin.DashboardService;
import io.ssegateway.host.admin.GatewayStatus;
import io.ssegateway.host.admin.HealthService;
import io.ssegateway.host.admin.MetricsService;
import io.ssegateway.host.admin.OpenApiService;
import io.ssegateway.host.auth.PublishAuthorizer;
import io.ssegateway.host.channel.CloseReason;
import io.ssegateway.host.channel.Dispatcher;
import io.ssegateway.host.channel.Subscriptions;
import io.ssegateway.host.core.GatewayMetrics;
import io.ssegateway.host.core.GatewaySettings;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.host.core.PluginStatus;
import io.ssegateway.host.core.TlsFiles;
import io.ssegateway.host.http.Http2StreamLink;
import io.ssegateway.host.http.BindCheck;
import io.ssegateway.host.http.Cidr;
import io.ssegateway.host.http.ClientAddress;
import io.ssegateway.host.http.HeadRequests;
import io.ssegateway.host.http.Json;
import io.ssegateway.host.http.JsonDirectHandler;
import io.ssegateway.host.http.ListenerLimits;
import io.ssegateway.host.http.OpenConnections;
import io.ssegateway.host.http.ReadBufferRelease;
import io.ssegateway.host.http.ServerTls;
import io.ssegateway.host.http.TlsReloader;
import io.ssegateway.host.http.TrackingConnectionSelector;
import io.ssegateway.host.source.SourceRunner;
import io.ssegateway.host.sse.CredentialExpiry;
import io.ssegateway.host.sse.SseEndpoint;
import io.ssegateway.host.sse.WriterTimer;
import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.auth.Authenticator;
import io.ssegateway.spi.lifecycle.ConnectionListener;
import io.ssegateway.spi.source.BusSource;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.storage.MessageStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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
    private static final RateLimitedLog ERROR_LOG = new RateLimitedLog(LOG);

    private final GatewaySettings settings;
    private final MessageSource source;
    private final MessageStorage storage;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final Subscriptions registry;
    private final Dispatcher dispatcher;
    private final SseEndpoint sseEndpoint;
    private final SourceRunner sourceRunner;
    /** Who stores what the bus carries; {@code null} without a bus. */
    private final BusSource.StoringMode busMode;
    private final WriterTimer writerTimer;
    private final CredentialExpiry credentialExpiry;
    private final Authenticator authenticator;
    private final PublishAuthorizer publishAuthorizer;
    private final Supplier<List<PluginStatus>> plugins;
    private final List<Runnable> onStop;
    private final OpenConnections openConnections;
    private final ClientAddress clientAddress;
    private final ListenerWatch listenerWatch;
    private final Consumer<Throwable> onListenerFailure;
    private volatile Throwable listenerFailure;
    private final Status status = new Status();
    /** The named socket of the management listener. */
    private static final String MANAGEMENT = "management";
    /** TCP connections of the management listener: probes, scrapes, operators; dashboard streams are capped at 16. */
    private static final int MANAGEMENT_MAX_TCP = 64;
    /** The management listener's connections and request timeouts; {@code null} without one. */
    private final OpenConnections managementConnections;
    private final MetricsService metricsService;
    private final HealthService healthService;
    private final WebServer server;
    /** {@code null} without TLS. */
    private final TlsReloader tlsReloader;
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
        this.onListenerFailure = builder.onListenerFailure != null ? builder.onListenerFailure : cause -> stop();
        this.listenerWatch = new ListenerWatch(this::listenerDied);
        this.openConnections = new OpenConnections(metrics, settings.maxTcpConnections(), settings.requestHeaderTimeout(),
                settings.requestBodyTimeout(), settings.idleTimeout());
        this.registry = new Subscriptions(settings.instanceId());
        this.clientAddress = new ClientAddress(settings.trustedProxies().stream().map(Cidr::parse).toList());
        this.authenticator = builder.auth;
        this.publishAuthorizer = new PublishAuthorizer(builder.auth, metrics, settings.retryAfter());
        this.dispatcher = new Dispatcher(registry, storage, metrics, settings.maxMessageBytes(), publishAuthorizer);
        PluginCalls pluginCalls = new PluginCalls(metrics);
        this.credentialExpiry = new CredentialExpiry(metrics);
        this.sseEndpoint = new SseEndpoint(settings, registry, storage, source, builder.auth, builder.listeners,
                pluginCalls, metrics, credentialExpiry, openConnections, clientAddress);
        this.sourceRunner = new SourceRunner(source, dispatcher, registry);
        this.busMode = source instanceof BusSource bus ? attach(bus, storage) : null;
        this.writerTimer = new WriterTimer(registry, settings.heartbeatInterval(), settings.keepAliveInterval());
        for (CloseReason reason : CloseReason.values()) {
            metrics.declareStreamEnd(reason.label());
        }
        this.metricsService = new MetricsService(metrics, registry, status);
        this.healthService = new HealthService(status, settings.readinessGrace());
        WebServerConfig.Builder web = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .shutdownHook(false)
                // Memory per idle SSE connection: the NIO socket keeps an 8 KiB read and an 8 KiB write buffer for
                // the connection's life, the plain socket one 8 KiB read buffer (given back once a stream starts,
                // see ReadBufferRelease) and writes from the caller's array.
                .useNio(false)
                // No 4 KiB BufferedOutputStream per response: ConnectionWriter batches frames itself, and every
                // other response is sent whole.
                .writeBufferSize(0)
                // At most this many connections, below the open-files limit: a listener that hits EMFILE in accept
                // stops for good in Helidon 4.5. At the limit new clients wait in the kernel's accept backlog.
                .maxTcpConnections(settings.maxTcpConnections())
                // HTTP/1.1 and HTTP/2 through our selector only (it times every connection from its accept and picks
                // the protocol itself); no protocol discovery, which would make Helidon read each connection's first
                // bytes, untimed, before handing it over
                .protocolsDiscoverServices(false)
                .addConnectionSelector(new TrackingConnectionSelector(Http1Config.builder(), http2(settings), openConnections))
                // Helidon's own idle sweep only as a backstop behind OpenConnections' timeouts
                .idleConnectionTimeout(backstop(settings))
                // Helidon's own protocol errors (400, 413, 414, 501, 505) as JSON
                .directHandlers(JsonDirectHandler.all())
                .routing(this::routing);
        // No Nagle: an event is written when it is due, not held until the client acknowledged the previous one
        // (with the client's delayed acknowledgements that could add 40 ms to a delivery)
        SocketOptions.Builder socketOptions = SocketOptions.builder().tcpNoDelay(true);
        if (settings.socketSendBuffer() > 0) {
            socketOptions.socketSendBufferSize(settings.socketSendBuffer());
        }
        web.connectionOptions(socketOptions.build());
        this.managementConnections = settings.hasManagementPort() ? new OpenConnections(metrics, MANAGEMENT_MAX_TCP,
                settings.requestHeaderTimeout(), settings.requestBodyTimeout(), settings.idleTimeout()) : null;
        if (managementConnections != null) {
            // its own small, timed listener: scrapes and probes still get through when streams fill the public one
            web.putSocket(MANAGEMENT, socket -> socket.host(settings.managementHost()).port(settings.managementPort())
                    .useNio(false)
                    .writeBufferSize(0)
                    .maxTcpConnections(MANAGEMENT_MAX_TCP)
                    .protocolsDiscoverServices(false)
                    // plain HTTP/1.1: probes, scrapes and the admin API need neither TLS nor HTTP/2
                    .addConnectionSelector(new TrackingConnectionSelector(Http1Config.builder(), null, managementConnections))
                    .idleConnectionTimeout(backstop(settings))
                    .directHandlers(JsonDirectHandler.all()));
            web.routing(MANAGEMENT, routing -> managementRouting(routing));
        }
        if (settings.secure()) {
            // the TLS handshake runs on the connection's thread, on the plain socket (no NIO buffers)
            try {
                web.tls(ServerTls.load(settings.tls()));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Invalid gateway configuration: " + e.getMessage(), e);
            }
        }
        this.server = web.build();
        if (!ReadBufferRelease.available()) {
            LOG.warning("Event streams keep their connection's 8 KiB read buffer: this Helidon version's socket is not"
                    + " the expected one, or its package is not open to the gateway (see docs/performance.md,"
                    + " 'Second push: memory per connection')");
        }
        this.tlsReloader = settings.secure() ? new TlsReloader(settings.tls(), server::reloadTls) : null;
    }

    /**
     * HTTP/2 (h2 over TLS by ALPN, h2c by prior knowledge or {@code Upgrade}), or {@code null} when it is off. Each
     * connection allows {@code server.http2.max-concurrent-streams} streams at once (Helidon's default is 8192).
     */
    private static Http2Config http2(GatewaySettings settings) {
        if (!settings.http2()) {
            return null;
        }
        if (!Http2StreamLink.available()) {
            LOG.warning("HTTP/2 is off: this Helidon version's HTTP/2 streams cannot be watched for a client that"
                    + " resets them (see docs/operations.md, 'TLS and HTTP/2')");
            return null;
        }
        return Http2Config.builder()
                .maxConcurrentStreams(settings.http2MaxConcurrentStreams())
                .build();
    }

    /** Introduces the bus to the storage; it says who stores what it carries. */
    private static BusSource.StoringMode attach(BusSource bus, MessageStorage storage) {
        BusSource.StoringMode mode;
        try {
            mode = PluginCalls.withContextLoader(bus, () -> bus.attach(storage));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Invalid gateway configuration: source '" + bus.name()
                    + "' cannot work with storage '" + storage.name() + "': " + e.getMessage(), e);
        }
        if (mode == null) {
            throw new IllegalStateException("source '" + bus.name() + "' answered attach() with null; it must say"
                    + " who stores the messages it carries");
        }
        LOG.info(() -> "Message bus '" + bus.name() + "' with storage '" + storage.name() + "': " + (mode == BusSource.StoringMode.BUS_STORES
                ? "the bus stores each message once as it publishes it" : "each instance stores what the bus brings"));
        return mode;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Twice the longest request timeout: Helidon's idle sweep (interrupting a connection waiting for a request). */
    private static Duration backstop(GatewaySettings settings) {
        Duration longest = settings.idleTimeout();
        for (Duration timeout : List.of(settings.requestHeaderTimeout(), settings.requestBodyTimeout())) {
            if (timeout.compareTo(longest) > 0) {
                longest = timeout;
            }
        }
        return longest.multipliedBy(2);
    }

    /** The public listener: the event streams, and everything else unless a management port takes it. */
    private void routing(HttpRouting.Builder routing) {
        routing.get("/sse/connect", sseEndpoint)
                .options("/sse/connect", sseEndpoint.preflight())
                .any("/sse/connect", Json.methodNotAllowed("GET /sse/connect"));
        if (!settings.hasManagementPort()) {
            operations(routing, openConnections);
        }
        fallback(routing);
    }

    /** The management listener: probes, metrics, the API description, the admin API and the dashboard. */
    private void managementRouting(HttpRouting.Builder routing) {
        operations(routing, managementConnections);
        fallback(routing);
    }

    private void operations(HttpRouting.Builder routing, OpenConnections connections) {
        // the admin API first: Helidon tries routes in order, and /api/send is the most frequent request here
        if (settings.dashboard()) {
            AdminGuard guard = new AdminGuard(settings.adminToken());
            AdminService admin = new AdminService(guard, publishAuthorizer, dispatcher, registry, metrics, status, settings,
                    source instanceof BusSource bus ? bus : null, busMode, clientAddress);
            routing.register("/api", admin)
                    .register(new DashboardService(guard, admin, status, settings.retryAfter(), connections));
        }
        routing.register(healthService)
                .register(metricsService)
                .register(new OpenApiService())
                .any("/health", Json.methodNotAllowed("GET /health"))
                .any("/ready", Json.methodNotAllowed("GET /ready"))
                .any("/metrics", Json.methodNotAllowed("GET /metrics"))
                .any("/openapi.yaml", Json.methodNotAllowed("GET /openapi.yaml"));
    }

    private void fallback(HttpRouting.Builder routing) {
        routing.any(HeadRequests.bodilessForHead((request, response) -> Json.error(response, 404, "no route for "
                        + request.prologue().method().text() + " " + request.path().rawPath())))
                .error(Throwable.class, (request, response, error) -> {
                    // rate-limited: whatever a client can trigger must not flood the log
                    ERROR_LOG.warn("Unhandled error on " + request.path().rawPath(), error);
                    if (!response.isSent()) {
                        Json.error(response, 500, "internal error");
                    }
                    // the request's body may be half read: the connection cannot carry another request
                    throw new CloseConnectionException("closed after an unhandled error");
                });
    }

    /**
     * Binds the port and starts the source. Returns at once; the gateway serves until {@link #stop()}.
     *
     * @throws IllegalStateException the port cannot be bound (the message names the address and the cause), or the
     *                               source fails at once (with {@link Builder#sourceStartCheck})
     */
    public Gateway start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the gateway was already started");
        }
        // the source starts first, so that its fail-fast window overlaps the server's start-up
        long sourceStartedAt = System.nanoTime();
        writerTimer.start();
        credentialExpiry.start();
        openConnections.start();
        if (managementConnections != null) {
            managementConnections.start();
        }
        sourceRunner.start();
        Throwable bindFailure;
        try {
            bindFailure = listenerWatch.start(server::start);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        if (bindFailure != null || !server.isRunning() || server.port() < 0
                || (managementConnections != null && server.port(MANAGEMENT) < 0)) {
            stop();
            // Helidon does not say which listener failed: the management one if its address is still taken now
            if (managementConnections != null && settings.managementPort() > 0 && BindCheck.cannotBindNow(settings.managementHost(), settings.managementPort())) {
                throw BindCheck.cannotListen(settings.managementHost(), settings.managementPort(), bindFailure);
            }
            throw BindCheck.cannotListen(settings.host(), settings.port(), bindFailure);
        }
        startedAtNanos = System.nanoTime();
        if (tlsReloader != null) {
            tlsReloader.start();
        }
        if (!settings.sourceStartCheck().isZero()) {
            Duration rest = settings.sourceStartCheck().minusNanos(System.nanoTime() - sourceStartedAt);
            Throwable failure = sourceRunner.awaitFirstRunFailure(rest.isNegative() ? Duration.ZERO : rest);
            if (failure != null) {
                stop();
                throw new IllegalStateException("source '" + source.name() + "' failed to start: "
                        + PluginCalls.describe(source, failure), failure);
            }
        }
        LOG.info(() -> "sse-gateway " + settings.instanceId() + " listening on " + settings.host() + ":" + port()
                + (settings.secure() ? " with TLS (" + settings.tls().describe() + ")" : "")
                + (settings.http2() ? ", HTTP/1.1 and HTTP/2" : ", HTTP/1.1")
                + (managementConnections == null ? "" : ", management on " + settings.managementHost() + ":" + managementPort())
                + " (source " + source.name() + ", storage " + storage.name() + ", max " + settings.maxConnections()
                + " streams and " + settings.maxTcpConnections() + " TCP connections)");
        if (settings.dashboard() && settings.adminToken() == null) {
            LOG.warning("gateway.admin.token is not set: the admin API (/api/send, /api/stats, the dashboard) answers"
                    + " only loopback clients that ask for a loopback host (Host: localhost, 127.0.0.1 or [::1]). A"
                    + " reverse proxy or sidecar on this machine makes every request it forwards look local: behind one,"
                    + " set gateway.admin.token (GATEWAY_ADMIN_TOKEN)");
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
        // from now on the listener stopping is expected
        listenerWatch.disarm();
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
            if (tlsReloader != null) {
                tlsReloader.stop();
            }
            credentialExpiry.stop();
            if (server.isRunning()) {
                server.stop();
            }
            openConnections.stop();
            if (managementConnections != null) {
                managementConnections.stop();
            }
            runQuietly(() -> PluginCalls.withContextLoader(storage, () -> {
                storage.close();
                return null;
            }), "storage close");
            for (Runnable action : onStop) {
                runQuietly(action, "shutdown action");
            }
            runQuietly(metrics::close, "metrics close");
            LOG.info("sse-gateway " + settings.instanceId() + " stopped");
        } finally {
            stopped.countDown();
        }
    }

    /**
     * The listener stopped accepting while the gateway runs (called on the dying listener's thread). Nothing can
     * reach this gateway any more: report it and hand over to the failure action.
     */
    private void listenerDied(Throwable cause) {
        Throwable failure = cause == null ? new IllegalStateException("the listener stopped") : cause;
        listenerFailure = failure;
        Thread.ofPlatform().name("sse-gateway-listener-failure").start(() -> {
            LOG.severe("The HTTP listener on " + settings.host() + ":" + settings.port() + " stopped accepting"
                    + " connections (" + BindCheck.describe(failure) + "): the gateway is unreachable");
            onListenerFailure.accept(failure);
        });
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

    /** The bound management port, or -1 without a management listener. */
    public int managementPort() {
        return managementConnections == null ? -1 : server.port(MANAGEMENT);
    }

    /** Why the listener stopped accepting connections while the gateway ran, if it did. */
    public Optional<Throwable> listenerFailure() {
        return Optional.ofNullable(listenerFailure);
    }

    public String instanceId() {
        return settings.instanceId();
    }

    /** This instance's connections, read-only. */
    public ConnectionView connections() {
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
        public List<PluginStatus> plugins() {
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

        @Override
        public boolean authenticatorAvailable() {
            return authenticator == null
                    || available(() -> PluginCalls.withContextLoader(authenticator, authenticator::isAvailable));
        }

        @Override
        public boolean listening() {
            return listenerFailure == null;
        }

        @Override
        public int tcpConnections() {
            return openConnections.count();
        }

        @Override
        public int maxTcpConnections() {
            return openConnections.max();
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

        /** The highest {@code maxChannelsPerConnection} accepted: keeps a multi-channel event id within 8 KiB. */
        public static final int MAX_CHANNELS_PER_CONNECTION = 256;

        private String host = "0.0.0.0";
        private int port = 8080;
        private MessageSource source;
        private MessageStorage storage;
        private Authenticator auth;
        private final List<ConnectionListener> listeners = new ArrayList<>();
        private String instanceId;
        private boolean dashboard = true;
        private Duration heartbeatInterval = Duration.ofSeconds(30);
        private Duration keepAliveInterval = Duration.ofSeconds(30);
        private String adminToken;
        private List<String> corsAllowedOrigins = List.of();
        private int maxConnections = -1;
        private int maxConnectionsPerIp;
        private int connectionQueue = 1024;
        private long connectionQueueBytes = 8L * 1024 * 1024;
        private List<String> trustedProxies = List.of();
        private int maxMessageBytes = 1024 * 1024;
        private Duration retry = Duration.ofSeconds(3);
        private Duration retryJitter = Duration.ofSeconds(2);
        private Duration retryAfter = Duration.ofSeconds(5);
        private Duration shutdownGrace = Duration.ofSeconds(5);
        private Duration sourceStartCheck = Duration.ZERO;
        private int socketSendBuffer;
        private int replayPageBytes = 256 * 1024;
        private int maxTcpConnections = -1;
        private Duration requestHeaderTimeout = Duration.ofSeconds(10);
        private Duration requestBodyTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private String managementHost;
        private int managementPort = -1;
        private Duration readinessGrace = Duration.ofSeconds(30);
        private boolean accessLog;
        private int maxChannelsPerConnection = 32;
        private Duration sendBackpressureDelay = Duration.ofMillis(100);
        private Duration sendBackpressureMaxWait = Duration.ofSeconds(1);
        private Path tlsCert;
        private Path tlsKey;
        private String tlsKeyPassphrase;
        private Path tlsKeystore;
        private String tlsKeystorePassphrase;
        private Duration tlsReloadInterval = Duration.ofMinutes(1);
        private boolean http2 = true;
        private int http2MaxConcurrentStreams = 128;
        private Supplier<List<PluginStatus>> plugins = List::of;
        private final List<Runnable> onStop = new ArrayList<>();
        private Consumer<Throwable> onListenerFailure;

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
        public Builder keepAliveInterval(Duration interval) {
            this.keepAliveInterval = Objects.requireNonNull(interval, "keepAliveInterval");
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

        /**
         * Most SSE connections on this instance; default: {@link #maxTcpConnections} less a headroom (a quarter of it,
         * at most 256) that keeps {@code /health}, {@code /metrics} and the admin API reachable when streams fill it.
         */
        public Builder maxConnections(int max) {
            this.maxConnections = max;
            return this;
        }

        /**
         * Proxies whose forwarding headers are believed (IP addresses or CIDR blocks such as {@code 10.0.0.0/8});
         * default none: the client is the socket peer, whatever {@code X-Forwarded-For} says. When the peer is one
         * of these, the client is the right-most {@code Forwarded} / {@code X-Forwarded-For} entry that is not.
         */
        public Builder trustedProxies(List<String> proxies) {
            this.trustedProxies = List.copyOf(proxies);
            return this;
        }

        /** Most SSE connections per client address; 0 (default) for no limit. */
        public Builder maxConnectionsPerIp(int max) {
            this.maxConnectionsPerIp = max;
            return this;
        }

        /**
         * Most {@code channel_id}s one SSE connection may subscribe to (1 to {@value #MAX_CHANNELS_PER_CONNECTION});
         * default 32. More are refused with 400.
         */
        public Builder maxChannelsPerConnection(int max) {
            this.maxChannelsPerConnection = max;
            return this;
        }

        /**
         * {@code /api/send} waits while the fan-out writes events older than this (it is behind its publishers), at
         * most {@link #sendBackpressureMaxWait}; default 100 ms, zero: never wait.
         */
        public Builder sendBackpressureDelay(Duration delay) {
            this.sendBackpressureDelay = Objects.requireNonNull(delay, "sendBackpressureDelay");
            return this;
        }

        /**
         * The longest {@code /api/send} waits for the fan-out ({@link #sendBackpressureDelay}); default 1 s, and never
         * more than half of {@link #requestBodyTimeout}, which the wait is part of.
         */
        public Builder sendBackpressureMaxWait(Duration wait) {
            this.sendBackpressureMaxWait = Objects.requireNonNull(wait, "sendBackpressureMaxWait");
            return this;
        }

        /** Events that may wait for one connection before it is closed as a slow consumer; default 1024. */
        public Builder connectionQueue(int events) {
            this.connectionQueue = events;
            return this;
        }

        /**
         * Event bytes that may wait for one connection before it is closed as a slow consumer; default 8 MiB. One
         * event is always let in, however large, so that a message up to {@link #maxMessageBytes} can be delivered.
         */
        public Builder connectionQueueBytes(long bytes) {
            this.connectionQueueBytes = bytes;
            return this;
        }

        /** Largest {@code data} accepted, in UTF-8 bytes; default 1 MiB. */
        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        /** The {@code retry:} sent at the start of each stream is {@code retry} plus up to the jitter; default 3 s. */
        public Builder retry(Duration retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** The random part added to {@code retry:}, so that clients do not reconnect in lockstep; default 2 s. */
        public Builder retryJitter(Duration jitter) {
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

        /**
         * The most event bytes read from the storage and held at once for one replaying connection; the history is
         * sent page by page. Default 256 KiB.
         */
        public Builder replayPageBytes(int bytes) {
            this.replayPageBytes = bytes;
            return this;
        }

        /**
         * Most TCP connections the listener holds at once; at the limit it stops accepting and new clients wait in the
         * kernel's accept backlog. Default: the open-files limit less a reserve (half of it, at most 512) for storage
         * and source sockets, the push port, jars and logs — so that the listener never runs out of file descriptors.
         */
        public Builder maxTcpConnections(int max) {
            this.maxTcpConnections = max;
            return this;
        }

        /** How long a client may take to send a request line and headers before the connection is closed; default 10 s. */
        public Builder requestHeaderTimeout(Duration timeout) {
            this.requestHeaderTimeout = Objects.requireNonNull(timeout, "requestHeaderTimeout");
            return this;
        }

        /**
         * How long a request with a body may take, from its headers until its handler answered (the body upload
         * included), before the connection is closed; default 30 s.
         */
        public Builder requestBodyTimeout(Duration timeout) {
            this.requestBodyTimeout = Objects.requireNonNull(timeout, "requestBodyTimeout");
            return this;
        }

        /** How long a keep-alive connection may wait for its next request (SSE streams excepted); default 60 s. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "idleTimeout");
            return this;
        }

        /**
         * A second listener for {@code /health}, {@code /ready}, {@code /metrics}, {@code /openapi.yaml}, the dashboard
         * and the admin API, which the public port then no longer serves (404); 0 picks a free port
         * ({@link Gateway#managementPort()}). Default -1: none, everything on {@link #port}.
         */
        public Builder managementPort(int port) {
            this.managementPort = port;
            return this;
        }

        /** The address the management listener binds; default: {@link #host}'s. */
        public Builder managementHost(String host) {
            this.managementHost = host == null || host.isBlank() ? null : host;
            return this;
        }

        /**
         * How long {@code /ready} keeps answering 200 after the storage, the source or the authenticator became
         * unavailable (having been available): a short outage of a shared dependency must not take every instance
         * out of its load balancer at once. Shutting down, and never having been ready, are reported at once.
         * Default 30 s; {@link Duration#ZERO} reports every outage at once.
         */
        public Builder readinessGrace(Duration grace) {
            this.readinessGrace = Objects.requireNonNull(grace, "readinessGrace");
            return this;
        }

        /**
         * Logs every SSE connect and disconnect at INFO on {@code io.ssegateway.access} (channel, client, subject,
         * duration, events sent, close reason). Default {@code false}.
         */
        public Builder accessLog(boolean enabled) {
            this.accessLog = enabled;
            return this;
        }

        /**
         * Serves TLS with the certificate chain and private key of these PEM files (the chain's first certificate is
         * the server's; the key is PKCS#8, encrypted PKCS#8 or PKCS#1 RSA). Default: no TLS.
         */
        public Builder tlsPem(Path certificateChain, Path privateKey) {
            return tlsCert(certificateChain).tlsKey(privateKey);
        }

        /** The PEM certificate chain of {@link #tlsPem}; the key must be set too. */
        public Builder tlsCert(Path certificateChain) {
            this.tlsCert = certificateChain;
            return this;
        }

        /** The PEM private key of {@link #tlsPem}; the certificate chain must be set too. */
        public Builder tlsKey(Path privateKey) {
            this.tlsKey = privateKey;
            return this;
        }

        /** The passphrase of an encrypted PEM key ({@link #tlsPem}). */
        public Builder tlsKeyPassphrase(String passphrase) {
            this.tlsKeyPassphrase = passphrase == null || passphrase.isEmpty() ? null : passphrase;
            return this;
        }

        /** Serves TLS with the one private key entry (and its chain) of this PKCS#12 keystore. Default: no TLS. */
        public Builder tlsKeystore(Path pkcs12, String passphrase) {
            return tlsKeystore(pkcs12).tlsKeystorePassphrase(passphrase);
        }

        /** The PKCS#12 keystore of {@link #tlsKeystore(Path, String)}; its passphrase is set on its own. */
        public Builder tlsKeystore(Path pkcs12) {
            this.tlsKeystore = pkcs12;
            return this;
        }

        /** The passphrase of the {@link #tlsKeystore} (and of its key entry). */
        public Builder tlsKeystorePassphrase(String passphrase) {
            this.tlsKeystorePassphrase = passphrase;
            return this;
        }

        /**
         * How often the TLS files are checked for a change; a changed certificate is used for new connections without
         * a restart. Default 1 minute; zero never checks.
         */
        public Builder tlsReloadInterval(Duration interval) {
            this.tlsReloadInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Default {@code true}: HTTP/2 as well as HTTP/1.1 — h2 over TLS (ALPN), h2c by prior knowledge and by
         * {@code Upgrade: h2c}; the streams of one page's {@code EventSource}s then share one TCP connection.
         */
        public Builder http2(boolean enabled) {
            this.http2 = enabled;
            return this;
        }

        /** Most streams at once on one HTTP/2 connection; default 128. */
        public Builder http2MaxConcurrentStreams(int max) {
            this.http2MaxConcurrentStreams = max;
            return this;
        }

        /** What {@code /api/stats} lists as plugins (the plugin loader supplies it). */
        public Builder plugins(Supplier<List<PluginStatus>> plugins) {
            this.plugins = Objects.requireNonNull(plugins, "plugins");
            return this;
        }

        /** An action run at the end of {@link Gateway#stop()}, after the storage closed (plugin unloading). */
        public Builder onStop(Runnable action) {
            onStop.add(Objects.requireNonNull(action, "action"));
            return this;
        }

        /**
         * What to do if the HTTP listener stops accepting connections while the gateway runs (Helidon 4.5 ends its
         * accept loop on any accept error): told the cause, once, on its own thread. The gateway can no longer be
         * reached, so the process should be restarted: the launcher exits with status 3. Default: stop the gateway
         * (so that {@link Gateway#run()} and {@link Gateway#awaitStopped()} return); {@link Gateway#listenerFailure()}
         * says why.
         */
        public Builder onListenerFailure(Consumer<Throwable> action) {
            this.onListenerFailure = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * Checks, by binding it for a moment, that the configured address can be listened on (port in use, no
         * permission, unknown host), so that a launcher can fail before it loads plugins. Port 0 always can.
         *
         * @throws IllegalStateException {@code cannot listen on <host>:<port>: <cause>}, as {@link Gateway#start()}
         */
        public Builder checkListenAddress() {
            BindCheck.requireBindable(host, port);
            if (managementPort > 0) {
                BindCheck.requireBindable(managementHost == null ? host : managementHost, managementPort);
            }
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
            if (managementPort < -1 || managementPort > 65535) {
                problems.add("managementPort must be between 0 and 65535 (or -1 for none), not " + managementPort);
            } else if (managementPort > 0 && managementPort == port) {
                problems.add("managementPort must differ from port (" + port + ")");
            }
            if (readinessGrace.isNegative()) {
                problems.add("readinessGrace must not be negative");
            }
            if (heartbeatInterval.isNegative()) {
                problems.add("heartbeatInterval must not be negative");
            }
            if (keepAliveInterval.isNegative() || keepAliveInterval.isZero()) {
                problems.add("keepAliveInterval must be positive");
            }
            if (connectionQueue < 1) {
                problems.add("connectionQueue must be at least 1, not " + connectionQueue);
            }
            if (connectionQueueBytes < 1024) {
                problems.add("connectionQueueBytes must be at least 1024, not " + connectionQueueBytes);
            }
            List<Cidr> proxies = new ArrayList<>();
            for (String proxy : trustedProxies) {
                try {
                    proxies.add(Cidr.parse(proxy));
                } catch (IllegalArgumentException e) {
                    problems.add("trustedProxies: " + e.getMessage());
                }
            }
            if (maxMessageBytes < 1) {
                problems.add("maxMessageBytes must be at least 1, not " + maxMessageBytes);
            }
            if (replayPageBytes < 1024) {
                problems.add("replayPageBytes must be at least 1024, not " + replayPageBytes);
            }
            if (maxChannelsPerConnection < 1 || maxChannelsPerConnection > MAX_CHANNELS_PER_CONNECTION) {
                problems.add("maxChannelsPerConnection must be from 1 to " + MAX_CHANNELS_PER_CONNECTION + ", not "
                        + maxChannelsPerConnection);
            }
            if (sendBackpressureDelay.isNegative()) {
                problems.add("sendBackpressureDelay must not be negative (0: /api/send never waits), not "
                        + sendBackpressureDelay);
            }
            if (sendBackpressureMaxWait.isNegative()) {
                problems.add("sendBackpressureMaxWait must not be negative, not " + sendBackpressureMaxWait);
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
            if (maxTcpConnections == 0 || maxTcpConnections < -1) {
                problems.add("maxTcpConnections must be positive, not " + maxTcpConnections);
            }
            int tcpCap = maxTcpConnections == -1 ? ListenerLimits.defaultMaxTcpConnections(ListenerLimits.openFilesLimit()) : maxTcpConnections;
            int sseCap = maxConnections == -1 ? ListenerLimits.defaultMaxConnections(tcpCap) : maxConnections;
            if (sseCap >= tcpCap) {
                problems.add("maxConnections (" + sseCap + ") must be below maxTcpConnections (" + tcpCap
                        + (maxTcpConnections == -1 ? ", from the open-files limit " + ListenerLimits.openFilesLimit() : "")
                        + "), so that /health and the admin API stay reachable when streams fill the instance");
            }
            for (Duration timeout : List.of(requestHeaderTimeout, requestBodyTimeout, idleTimeout)) {
                if (timeout.isNegative() || timeout.isZero()) {
                    problems.add("requestHeaderTimeout, requestBodyTimeout and idleTimeout must be positive");
                    break;
                }
            }
            if (retry.isNegative() || retryJitter.isNegative() || retryAfter.isNegative() || shutdownGrace.isNegative()
                    || sourceStartCheck.isNegative()) {
                problems.add("retry, retry jitter, retryAfter, shutdownGrace and sourceStartCheck must not be negative");
            }
            if ((tlsCert == null) != (tlsKey == null)) {
                problems.add("TLS from PEM files needs both the certificate chain (server.tls.cert) and the private key"
                        + " (server.tls.key)");
            }
            if (tlsKeystorePassphrase != null && tlsKeystore == null) {
                problems.add("server.tls.keystore-passphrase is set but no keystore (server.tls.keystore)");
            }
            if (tlsKeyPassphrase != null && tlsKey == null) {
                problems.add("server.tls.key-passphrase is set but no PEM key (server.tls.key)");
            }
            if (tlsCert != null && tlsKeystore != null) {
                problems.add("TLS comes from PEM files (server.tls.cert, server.tls.key) or a PKCS#12 keystore"
                        + " (server.tls.keystore), not both");
            }
            if (tlsReloadInterval.isNegative()) {
                problems.add("tlsReloadInterval must not be negative");
            }
            if (http2MaxConcurrentStreams < 1) {
                problems.add("http2MaxConcurrentStreams must be at least 1, not " + http2MaxConcurrentStreams);
            }
            if (corsAllowedOrigins.contains("*")) {
                problems.add("corsAllowedOrigins lists origins allowed with credentials; '*' is not one (leave it empty to allow any origin)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("Invalid gateway configuration: " + String.join("; ", problems));
            }
            GatewaySettings settings = new GatewaySettings(host, port,
                    instanceId == null || instanceId.isBlank() ? UUID.randomUUID().toString() : instanceId,
                    dashboard, heartbeatInterval, keepAliveInterval, adminToken, corsAllowedOrigins,
                    sseCap, maxConnectionsPerIp,
                    connectionQueue, connectionQueueBytes, proxies.stream().map(Cidr::toString).toList(), maxMessageBytes,
                    retry, retryJitter, retryAfter, shutdownGrace, sourceStartCheck,
                    socketSendBuffer, replayPageBytes, tcpCap, requestHeaderTimeout, requestBodyTimeout, idleTimeout,
                    managementHost == null ? host : managementHost, managementPort, readinessGrace, accessLog,
                    maxChannelsPerConnection, sendBackpressureDelay, sendBackpressureMaxWait,
                    tlsCert == null && tlsKeystore == null ? null : new TlsFiles(tlsCert, tlsKey, tlsKeyPassphrase,
                            tlsKeystore, tlsKeystorePassphrase, tlsReloadInterval),
                    http2, http2MaxConcurrentStreams);
            long limit = ListenerLimits.openFilesLimit();
            if (maxTcpConnections != -1 && limit > 0 && maxTcpConnections > limit - ListenerLimits.fileReserve(limit)) {
                LOG.warning("maxTcpConnections " + maxTcpConnections + " leaves less than " + ListenerLimits.fileReserve(limit)
                        + " of the open-files limit " + limit + " for everything else: the listener may run out of"
                        + " file descriptors (raise the limit, e.g. LimitNOFILE, or lower server.max-tcp-connections)");
            }
            return new Gateway(this, settings);
        }
    }
}
