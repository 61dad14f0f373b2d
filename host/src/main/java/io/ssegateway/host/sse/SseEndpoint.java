package io.ssegateway.host.sse;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.auth.HeldAuthRequest;
import io.ssegateway.host.channel.CloseReason;
import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.host.channel.Subscriptions;
import io.ssegateway.host.core.GatewayMetrics;
import io.ssegateway.host.core.GatewaySettings;
import io.ssegateway.host.core.LogContext;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.host.core.Rejection;
import io.ssegateway.host.http.ClientAddress;
import io.ssegateway.host.http.Denials;
import io.ssegateway.host.http.Json;
import io.ssegateway.host.http.OpenConnections;
import io.ssegateway.host.http.StreamLink;
import io.ssegateway.kit.ChannelIds;
import io.ssegateway.kit.QueryParams;
import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Authenticator;
import io.ssegateway.spi.auth.Denial;
import io.ssegateway.spi.auth.Identity;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import io.ssegateway.spi.lifecycle.ConnectionListener;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.storage.MessageStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /sse/connect?channel_id=…}: validate → authenticate → limits → register → {@code onConnect} →
 * replay → live, and {@code onDisconnect} exactly once however it ends. The request's own virtual thread writes the
 * stream's start, then blocks reading the socket: a client that closes its connection is noticed at once, not at
 * the next write. Live frames are written by short write passes ({@link ConnectionWriter}).
 */
public final class SseEndpoint implements Handler {

    private static final Logger LOG = Logger.getLogger(SseEndpoint.class.getName());
    private static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
    private static final HeaderName X_ACCEL_BUFFERING = HeaderNames.create("X-Accel-Buffering");

    private final GatewaySettings settings;
    private final Subscriptions registry;
    private final MessageStorage storage;
    private final MessageSource source;
    private final Authenticator authenticator;
    private final List<ConnectionListener> listeners;
    private final PluginCalls pluginCalls;
    private final GatewayMetrics metrics;
    private final ConnectionLimits limits;
    private final CredentialExpiry expiry;
    private final OpenConnections connections;
    private final ClientAddress clientAddress;
    private final RateLimitedLog authLog = new RateLimitedLog(LOG);
    private final AccessLog accessLog;
    private volatile boolean accepting = true;

    public SseEndpoint(GatewaySettings settings, Subscriptions registry, MessageStorage storage, MessageSource source,
                       Authenticator authenticator, List<ConnectionListener> listeners, PluginCalls pluginCalls,
                       GatewayMetrics metrics, CredentialExpiry expiry, OpenConnections connections,
                       ClientAddress clientAddress) {
        this.settings = settings;
        this.registry = registry;
        this.storage = storage;
        this.source = source;
        this.authenticator = authenticator;
        this.listeners = List.copyOf(listeners);
        this.pluginCalls = pluginCalls;
        this.metrics = metrics;
        this.limits = new ConnectionLimits(settings.maxConnections(), settings.maxConnectionsPerIp());
        this.expiry = expiry;
        this.connections = connections;
        this.accessLog = new AccessLog(settings.accessLog());
        this.clientAddress = clientAddress;
    }

    /** The handler of {@code OPTIONS /sse/connect} (CORS preflight). */
    public Handler preflight() {
        return Cors.preflight(settings.corsAllowedOrigins());
    }

    /** From now on new subscriptions get 503 (shutdown has begun). */
    public void stopAccepting() {
        accepting = false;
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        long startedAt = System.nanoTime();
        Cors.apply(settings.corsAllowedOrigins(), request, response);
        String rawQuery = request.query().rawValue();
        QueryParams query;
        try {
            query = QueryParams.parse(rawQuery);
        } catch (IllegalArgumentException malformed) {
            Json.error(response, 400, malformed.getMessage());
            return;
        }
        List<String> channelIds = channelIds(query, response);
        if (channelIds == null) {
            return;
        }
        if (!accepting) {
            metrics.connectionRejected(Rejection.SHUTDOWN);
            shed(request, response, "the gateway is shutting down");
            return;
        }
        HeldAuthRequest authRequest = HttpAuthRequest.of(request, rawQuery, query, channelIds, clientAddress.of(request));
        Identity identity = authenticate(authRequest, response);
        if (identity == null) {
            return;
        }
        ConnectionLimits.Refusal refusal = limits.acquire(authRequest.clientIp());
        if (refusal != null) {
            metrics.connectionRejected(refusal.rejection);
            shed(request, response, refusal.message);
            return;
        }
        boolean breakOff;
        try {
            breakOff = stream(request, response, authRequest, identity, query, startedAt);
        } finally {
            limits.release(authRequest.clientIp());
        }
        if (breakOff) {
            // HTTP/1.1: the stream owned its TCP connection, which is closed now: Helidon must not wait for another
            // request on it. HTTP/2: a slow consumer's stream is reset (RST_STREAM), the connection's others go on.
            throw new EndConnection("SSE stream ended");
        }
    }

    /**
     * The {@code channel_id}s asked for, in their order, without repeats; {@code null} once a 400 has answered a
     * missing or invalid one, or more than {@code gateway.max-channels-per-connection}.
     */
    private List<String> channelIds(QueryParams query, ServerResponse response) {
        List<String> asked = query.all("channel_id");
        if (asked.isEmpty()) {
            Json.error(response, 400, "missing query parameter channel_id");
            return null;
        }
        if (asked.size() == 1) {
            // the common case, kept as small as before: a connection holds its list for its lifetime
            String problem = ChannelIds.problem(asked.get(0));
            if (problem != null) {
                Json.error(response, 400, problem);
                return null;
            }
            return List.of(asked.get(0));
        }
        LinkedHashSet<String> channelIds = new LinkedHashSet<>();
        for (String channelId : asked) {
            String problem = ChannelIds.problem(channelId);
            if (problem != null) {
                Json.error(response, 400, "channel_id '" + channelId + "': " + problem);
                return null;
            }
            channelIds.add(channelId);
            if (channelIds.size() > settings.maxChannelsPerConnection()) {
                Json.error(response, 400, "too many channel_id parameters: at most "
                        + settings.maxChannelsPerConnection() + " per connection (gateway.max-channels-per-connection)");
                return null;
            }
        }
        return List.copyOf(channelIds);
    }

    /**
     * A 503 with {@code Retry-After}, then an HTTP/1.1 connection is closed: under a reconnect storm a refused client
     * must not keep a file descriptor (and a permit of server.max-tcp-connections) until the idle timeout.
     */
    private void shed(ServerRequest request, ServerResponse response, String message) {
        Json.unavailable(response, message, settings.retryAfter());
        if (!OpenConnections.isHttp2(request)) {
            throw new EndConnection("SSE subscription refused: " + message);
        }
        // HTTP/2: the answer ended its stream; the connection's other streams go on
    }

    /** Who the client is; {@code null} once the request has been answered with a refusal or a 503. */
    private Identity authenticate(HeldAuthRequest authRequest, ServerResponse response) {
        if (authenticator == null) {
            return Identity.ANONYMOUS;
        }
        AuthResult result;
        try {
            result = PluginCalls.withContextLoader(authenticator, () -> {
                try {
                    return authenticator.authenticate(authRequest);
                } catch (Exception e) {
                    throw new AuthenticatorFailure(e);
                }
            });
            if (result == null) {
                throw new IllegalStateException("the authenticator answered null");
            }
        } catch (RuntimeException | LinkageError e) {
            Throwable cause = e instanceof AuthenticatorFailure ? e.getCause() : e;
            metrics.authErrors.increment();
            authLog.warn("Authenticator " + authenticator.getClass().getName() + " failed: "
                    + PluginCalls.describe(authenticator, cause), cause);
            Json.unavailable(response, "authentication is unavailable, try again later", settings.retryAfter());
            return null;
        }
        if (result.allowed()) {
            Instant expiresAt = result.identity().expiresAt();
            if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
                // a stream that would end at once: refuse, so that the client does not reconnect in a loop
                metrics.authDenied.increment();
                Json.error(response, 401, "the credential has expired");
                return null;
            }
            return result.identity();
        }
        Denial denial = result.denial().orElseThrow();
        metrics.authDenied.increment();
        Denials.send(response, denial);
        return null;
    }

    /** @return whether the transport must be broken off now (see {@link #handle}) */
    private boolean stream(ServerRequest request, ServerResponse response, HeldAuthRequest authRequest, Identity identity,
                           QueryParams query, long startedAt) {
        String lastEventId = request.headers().first(LAST_EVENT_ID)
                .or(() -> query.first("last_event_id"))
                .filter(id -> !id.isEmpty())
                .orElse(null);
        ConnectionInfo info = new ConnectionInfo(authRequest.channelIds(), UUID.randomUUID().toString(),
                registry.instanceId(), Instant.now(), authRequest.clientIp(), authRequest.header("user-agent").orElse(""),
                identity.subject());
        StreamLink connection = connections.link(request, response);
        if (connection == null) {
            throw new IllegalStateException("no open connection registered for the request thread");
        }
        // no request timeout cuts a stream
        connection.streaming();

        response.status(200);
        response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        response.header(X_ACCEL_BUFFERING, "no");
        if (connection.ownsConnection()) {
            // the stream owns its TCP connection: when it ends, the connection closes (HTTP/2 forbids the header)
            response.header(HeaderNames.CONNECTION, "close");
        }

        Subscriber subscriber = new Subscriber(info, settings.connectionQueue(), settings.connectionQueueBytes(), registry.passes());
        ConnectionWriter writer = new ConnectionWriter(subscriber, response, connection, storage, settings, metrics,
                identity.expiresAt());
        registry.register(subscriber);
        metrics.connectionsOpened.increment();
        CredentialExpiry.Watch expiryWatch = expiry.watch(subscriber, identity.expiresAt());
        boolean interrupted = false;
        LogContext.set(info.connectionId(), info.channelIds().size() == 1 ? info.channelId() : String.join(",", info.channelIds()));
        accessLog.connected(info);
        try {
            notify(info, true);
            writer.start(lastEventId, startedAt);
            connection.awaitClientClose();
            // the server interrupts connection threads when it is stopped without a grace period
            interrupted = Thread.interrupted();
            // a write pass blocked on a client that is gone fails now
            connection.close();
            if (!subscriber.closeAndEnd(interrupted ? CloseReason.SHUTDOWN : CloseReason.CLIENT_GONE)) {
                subscriber.awaitEnded();
            }
        } catch (RuntimeException e) {
            // anything unexpected ends this connection only
            subscriber.close(CloseReason.CLIENT_GONE);
            connection.close();
            LOG.log(Level.FINE, "SSE connection " + info.connectionId() + " ended by " + e, e);
        } finally {
            expiry.forget(expiryWatch);
            registry.unregister(subscriber);
            CloseReason reason = subscriber.closeReason();
            metrics.streamEnded(reason == null ? CloseReason.CLIENT_GONE.label() : reason.label());
            if (reason == CloseReason.SLOW_CONSUMER) {
                metrics.slowConsumersDropped.increment();
                LOG.fine(() -> "Closed slow consumer " + info.connectionId() + " on channel(s) " + info.channelIds());
            }
            // the listeners may do I/O: run them with the interrupt status cleared
            interrupted |= Thread.interrupted();
            notify(info, false);
            accessLog.disconnected(info, Duration.between(info.connectedAt(), Instant.now()), writer.eventsSent(),
                    reason == null ? CloseReason.CLIENT_GONE.label() : reason.label());
            LogContext.clear();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return connection.ownsConnection() || subscriber.closeReason() == CloseReason.SLOW_CONSUMER;
    }

    private void notify(ConnectionInfo info, boolean connected) {
        String what = connected ? "onConnect" : "onDisconnect";
        pluginCalls.run(source, what, () -> {
            if (connected) {
                source.onConnect(info);
            } else {
                source.onDisconnect(info);
            }
        });
        for (ConnectionListener listener : listeners) {
            pluginCalls.run(listener, what, () -> {
                if (connected) {
                    listener.onConnect(info);
                } else {
                    listener.onDisconnect(info);
                }
            });
        }
    }

    /**
     * Makes Helidon close the connection at once (after the response, if any, was sent). Without a stack trace: a
     * reconnect storm ends or refuses thousands of streams at once, and nobody reads the trace.
     */
    private static final class EndConnection extends CloseConnectionException {
        EndConnection(String why) {
            super(why);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Carries a checked exception of the authenticator out of the context-loader wrapper. */
    private static final class AuthenticatorFailure extends RuntimeException {
        AuthenticatorFailure(Exception cause) {
            super(cause);
        }
    }
}
