package io.ssegateway.host.sse;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.GatewayMetrics;
import io.ssegateway.host.GatewaySettings;
import io.ssegateway.host.Json;
import io.ssegateway.host.PluginCalls;
import io.ssegateway.spi.RateLimitedLog;
import io.ssegateway.host.channel.ChannelRegistry;
import io.ssegateway.host.channel.CloseReason;
import io.ssegateway.host.channel.Dispatcher;
import io.ssegateway.host.channel.Subscriber;
import io.ssegateway.spi.auth.Authenticator;
import io.ssegateway.spi.auth.Denial;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import io.ssegateway.spi.lifecycle.ConnectionListener;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.storage.MessageStorage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /sse/connect?channel_id=…}: validate → authenticate → limits → register → {@code onConnect} →
 * replay → live loop, and {@code onDisconnect} exactly once however it ends. The request's own virtual thread
 * becomes the connection's writer ({@link ConnectionWriter}) until the stream ends.
 */
public final class SseEndpoint implements Handler {

    private static final Logger LOG = Logger.getLogger(SseEndpoint.class.getName());
    private static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
    private static final HeaderName X_ACCEL_BUFFERING = HeaderNames.create("X-Accel-Buffering");

    private final GatewaySettings settings;
    private final ChannelRegistry registry;
    private final MessageStorage storage;
    private final MessageSource source;
    private final Authenticator authenticator;
    private final List<ConnectionListener> listeners;
    private final PluginCalls pluginCalls;
    private final GatewayMetrics metrics;
    private final ConnectionLimits limits;
    private final RateLimitedLog authLog = new RateLimitedLog(LOG);
    private volatile boolean accepting = true;

    public SseEndpoint(GatewaySettings settings, ChannelRegistry registry, MessageStorage storage, MessageSource source,
                       Authenticator authenticator, List<ConnectionListener> listeners, PluginCalls pluginCalls,
                       GatewayMetrics metrics) {
        this.settings = settings;
        this.registry = registry;
        this.storage = storage;
        this.source = source;
        this.authenticator = authenticator;
        this.listeners = List.copyOf(listeners);
        this.pluginCalls = pluginCalls;
        this.metrics = metrics;
        this.limits = new ConnectionLimits(settings.maxConnections(), settings.maxConnectionsPerIp());
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
        Cors.apply(settings.corsAllowedOrigins(), request, response);
        QueryString query = new QueryString(request.query().rawValue());
        Optional<String> channelId = query.first("channel_id");
        if (channelId.isEmpty()) {
            Json.error(response, 400, "missing query parameter channel_id");
            return;
        }
        String problem = Dispatcher.channelIdProblem(channelId.get());
        if (problem != null) {
            Json.error(response, 400, problem);
            return;
        }
        if (!accepting) {
            metrics.connectionRejected("shutdown");
            Json.unavailable(response, "the gateway is shutting down", settings.retryAfter());
            return;
        }
        HttpAuthRequest authRequest = new HttpAuthRequest(request, query, channelId.get());
        if (!authenticated(authRequest, response)) {
            return;
        }
        ConnectionLimits.Refusal refusal = limits.acquire(authRequest.clientIp());
        if (refusal != null) {
            metrics.connectionRejected(refusal.label);
            Json.unavailable(response, refusal.message, settings.retryAfter());
            return;
        }
        try {
            stream(request, response, authRequest, query);
        } finally {
            limits.release(authRequest.clientIp());
        }
    }

    private boolean authenticated(HttpAuthRequest authRequest, ServerResponse response) {
        if (authenticator == null) {
            return true;
        }
        Optional<Denial> denial;
        try {
            denial = PluginCalls.withContextLoader(authenticator, () -> {
                try {
                    return authenticator.authenticate(authRequest);
                } catch (Exception e) {
                    throw new AuthenticatorFailure(e);
                }
            });
        } catch (RuntimeException e) {
            Throwable cause = e instanceof AuthenticatorFailure ? e.getCause() : e;
            metrics.authErrors.increment();
            authLog.warn("Authenticator " + authenticator.getClass().getName() + " failed: " + cause, cause);
            Json.unavailable(response, "authentication is unavailable, try again later", settings.retryAfter());
            return false;
        }
        if (denial == null || denial.isEmpty()) {
            return true;
        }
        metrics.authDenied.increment();
        response.status(denial.get().status());
        response.header(HeaderNames.CONTENT_TYPE, denial.get().contentType());
        response.send(denial.get().body());
        return false;
    }

    private void stream(ServerRequest request, ServerResponse response, HttpAuthRequest authRequest, QueryString query) {
        String lastEventId = request.headers().first(LAST_EVENT_ID)
                .or(() -> query.first("last_event_id"))
                .filter(id -> !id.isEmpty())
                .orElse(null);
        ConnectionInfo info = new ConnectionInfo(authRequest.channelId(), UUID.randomUUID().toString(),
                registry.instanceId(), Instant.now(), authRequest.clientIp(), authRequest.header("user-agent").orElse(""));

        response.status(200);
        response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        response.header(X_ACCEL_BUFFERING, "no");
        // the stream owns its TCP connection: when it ends, the connection closes
        response.header(HeaderNames.CONNECTION, "close");

        Subscriber subscriber = new Subscriber(info, Thread.currentThread(), settings.connectionQueue());
        registry.register(subscriber);
        metrics.connectionsOpened.increment();
        try {
            notify(info, true);
            new ConnectionWriter(subscriber, response.outputStream(), storage, settings, metrics).run(lastEventId);
        } catch (RuntimeException e) {
            // anything unexpected ends this connection only
            subscriber.close(CloseReason.CLIENT_GONE);
            LOG.log(Level.FINE, "SSE connection " + info.connectionId() + " ended by " + e, e);
        } finally {
            registry.unregister(subscriber);
            CloseReason reason = subscriber.closeReason();
            if (reason == CloseReason.SLOW_CONSUMER) {
                metrics.slowConsumersDropped.increment();
                LOG.fine(() -> "Closed slow consumer " + info.connectionId() + " on channel " + info.channelId());
            }
            // the listeners may do I/O: run them with the interrupt (used to abort a blocked write) cleared
            boolean interrupted = Thread.interrupted();
            notify(info, false);
            if (interrupted || reason == CloseReason.SLOW_CONSUMER) {
                // keep the socket from being reused or written to: the response's final write fails fast and closes it
                Thread.currentThread().interrupt();
            }
        }
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

    /** Carries a checked exception of the authenticator out of the context-loader wrapper. */
    private static final class AuthenticatorFailure extends RuntimeException {
        AuthenticatorFailure(Exception cause) {
            super(cause);
        }
    }
}
