package io.ssegateway.host.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2ConnectionSelector;
import io.helidon.webserver.http2.Http2Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * The listener's one connection selector: it registers every connection in {@link OpenConnections} from its accept,
 * then picks the protocol itself — HTTP/2 when TLS negotiated {@code h2} (ALPN) or the client opens with the HTTP/2
 * preface (h2c by prior knowledge), else HTTP/1.1, which also upgrades to h2c on {@code Upgrade: h2c}. Being the
 * only selector (protocol discovery off), it gets each connection before a byte is read, so the first bytes a client
 * owes are timed by the request-header timeout too — with Helidon's own selection, a client that never sends them
 * would hold the connection for good.
 */
public final class TrackingConnectionSelector implements ServerConnectionSelector {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerConnectionSelector http1;
    /** {@code null} when HTTP/2 is switched off. */
    private final ServerConnectionSelector http2;
    private final OpenConnections connections;

    /**
     * @param http1 the HTTP/1.1 settings; the {@link RequestPhaseListener}s of {@code connections} are added to them
     * @param http2 the HTTP/2 settings, or {@code null} to serve HTTP/1.1 only
     */
    public TrackingConnectionSelector(Http1Config.Builder http1, Http2Config http2, OpenConnections connections) {
        var selector = Http1ConnectionSelector.builder()
                .config(http1.addReceiveListener(new RequestPhaseListener(connections))
                        .addSendListener(RequestPhaseListener.responses(connections))
                        .build());
        if (http2 != null) {
            selector.addUpgrader(new TrackedUpgrade(Http2Upgrader.create(http2), connections));
        }
        this.http1 = selector.build();
        this.http2 = http2 == null ? null : Http2ConnectionSelector.builder().http2Config(http2).build();
        this.connections = connections;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData data) {
        return Support.SUPPORTED;
    }

    /** What TLS offers in ALPN: {@code h2} first when HTTP/2 is on. */
    @Override
    public Set<String> supportedApplicationProtocols() {
        return http2 == null ? http1.supportedApplicationProtocols() : Set.of("h2", "http/1.1");
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new Tracked(ctx, this);
    }

    /** HTTP/2 or HTTP/1.1 for {@code ctx}; may read (not consume) the first bytes, under the header timeout. */
    private ServerConnection choose(ConnectionContext ctx) {
        if (http2 == null) {
            return http1.connection(ctx);
        }
        HelidonSocket socket = ctx.serverSocket();
        if (socket.protocolNegotiated()) {
            return "h2".equals(socket.protocol()) ? http2(ctx) : http1.connection(ctx);
        }
        return startsWithPreface(ctx.dataReader()) ? http2(ctx) : http1.connection(ctx);
    }

    private ServerConnection http2(ConnectionContext ctx) {
        connections.http2Started(ctx);
        return http2.connection(ctx);
    }

    /**
     * Whether the client opens with the HTTP/2 preface. Reads only as far as the bytes still match it, so a short
     * HTTP/1.1 request is not kept waiting for 24 bytes.
     */
    static boolean startsWithPreface(DataReader reader) {
        try {
            reader.ensureAvailable();
            while (true) {
                int length = Math.min(reader.available(), PREFACE.length);
                byte[] first = new byte[length];
                reader.getBuffer(length).read(first, 0, length);
                for (int i = 0; i < length; i++) {
                    if (first[i] != PREFACE[i]) {
                        return false;
                    }
                }
                if (length == PREFACE.length) {
                    return true;
                }
                reader.pullData();
            }
        } catch (DataReader.InsufficientDataAvailableException e) {
            throw new CloseConnectionException("No data available", e);
        }
    }

    /** A connection that is in {@link OpenConnections} while Helidon serves it. */
    private static final class Tracked implements ServerConnection, InterruptableTask<Void> {

        private final ConnectionContext ctx;
        private final TrackingConnectionSelector selector;
        private volatile ServerConnection delegate;
        private volatile OpenConnection connection;

        Tracked(ConnectionContext ctx, TrackingConnectionSelector selector) {
            this.ctx = ctx;
            this.selector = selector;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            OpenConnections connections = selector.connections;
            connection = connections.opened(ctx);
            try {
                delegate = selector.choose(ctx);
                delegate.handle(limit);
            } finally {
                connections.connectionEnded(ctx);
                connections.closed(connection);
            }
        }

        /** An HTTP/2 connection that carries event streams is never idle: Helidon's idle sweep must not end it. */
        @Override
        public Duration idleTime() {
            ServerConnection chosen = delegate;
            if (chosen == null || selector.connections.hasHttp2Streams(ctx)) {
                return Duration.ZERO;
            }
            return chosen.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            ServerConnection chosen = delegate;
            if (chosen != null) {
                chosen.close(interrupt);
            } else if (interrupt && connection != null) {
                // still reading its first bytes
                connection.close();
            }
        }

        /** Whether Helidon may interrupt the connection's thread at shutdown (only while it waits for a request). */
        @Override
        public boolean canInterrupt() {
            ServerConnection chosen = delegate;
            return chosen == null || chosen instanceof InterruptableTask<?> task && task.canInterrupt();
        }
    }

    /** Helidon's h2c upgrade, telling {@link OpenConnections} that the connection speaks HTTP/2 from now on. */
    private record TrackedUpgrade(Http1Upgrader delegate, OpenConnections connections) implements Http1Upgrader {

        @Override
        public String supportedProtocol() {
            return delegate.supportedProtocol();
        }

        private static final HeaderName HTTP2_SETTINGS = HeaderNames.create("HTTP2-Settings");

        /** Without the {@code HTTP2-Settings} header the request is served as HTTP/1.1 (Helidon's upgrader would fail). */
        @Override
        public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
            if (!headers.contains(HTTP2_SETTINGS)) {
                return null;
            }
            ServerConnection upgraded = delegate.upgrade(ctx, prologue, headers);
            if (upgraded != null) {
                connections.http2Started(ctx);
            }
            return upgraded;
        }
    }
}
