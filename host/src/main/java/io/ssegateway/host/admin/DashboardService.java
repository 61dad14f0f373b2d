package io.ssegateway.host.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.core.Frame;
import io.ssegateway.host.http.HeadRequests;
import io.ssegateway.host.http.Json;
import io.ssegateway.host.http.StreamLink;
import io.ssegateway.host.http.OpenConnections;
import io.ssegateway.kit.RateLimitedLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * The dashboard.
 * <ul>
 *   <li>{@code GET /dashboard}: the page, rendered once from Mustache templates. It holds no data, so it is served
 *       without the admin token; every number on it comes from the admin-guarded routes below.</li>
 *   <li>{@code GET /dashboard/assets/dashboard.css|js}: its only style sheet and script (no CDN, no inline code).</li>
 *   <li>{@code GET /api/dashboard/events?limit&offset&channel}: behind the {@link AdminGuard}, an event stream that
 *       pushes an {@code /api/stats} snapshot (plus per-second rates) as event {@code stats} every second, on the
 *       request's own virtual thread, until the client leaves or the gateway shuts down.</li>
 * </ul>
 * Every response of the page and its assets carries a strict Content-Security-Policy.
 */
public final class DashboardService implements HttpService {

    private static final Logger LOG = Logger.getLogger(DashboardService.class.getName());
    private static final RateLimitedLog REFUSALS = new RateLimitedLog(LOG);

    /** Nothing but the gateway's own files; no inline script or style, no framing, no plugins. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    /** Dashboard streams open at once; each one builds a stats snapshot per second. */
    public static final int MAX_STREAMS = 16;
    /** Channels listed with their subscriber counts: the busiest, bounded so a snapshot stays small. */
    static final int TOP_CHANNELS = 20;
    /** Connections per page of the dashboard's table: default and largest. */
    static final int DEFAULT_PAGE_SIZE = 25;
    static final int MAX_PAGE_SIZE = 500;
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration SHUTDOWN_CHECK = Duration.ofMillis(100);

    private static final HeaderName CSP = HeaderNames.create("Content-Security-Policy");
    private static final HeaderName X_CONTENT_TYPE_OPTIONS = HeaderNames.create("X-Content-Type-Options");
    private static final HeaderName REFERRER_POLICY = HeaderNames.create("Referrer-Policy");
    private static final HeaderName X_FRAME_OPTIONS = HeaderNames.create("X-Frame-Options");
    private static final HeaderName X_ACCEL_BUFFERING = HeaderNames.create("X-Accel-Buffering");

    private final AdminGuard guard;
    private final AdminService admin;
    private final GatewayStatus status;
    private final Duration retryAfter;
    private final Asset page;
    private final Asset styles;
    private final Asset script;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final OpenConnections connections;

    public DashboardService(AdminGuard guard, AdminService admin, GatewayStatus status, Duration retryAfter,
                            OpenConnections connections) {
        this.guard = guard;
        this.connections = connections;
        this.admin = admin;
        this.status = status;
        this.retryAfter = retryAfter;
        this.page = new Asset("text/html; charset=utf-8", renderPage());
        this.styles = new Asset("text/css; charset=utf-8", resource("assets/dashboard.css"));
        this.script = new Asset("text/javascript; charset=utf-8", resource("assets/dashboard.js"));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/dashboard", page)
                .head("/dashboard", HeadRequests.of(page))
                // the page uses relative URLs (so it works behind a path prefix): serve it from one address only
                .get("/dashboard/", (request, response) -> {
                    response.status(301).header(HeaderNames.LOCATION, "../dashboard").send();
                })
                .get("/dashboard/assets/dashboard.css", styles)
                .head("/dashboard/assets/dashboard.css", HeadRequests.of(styles))
                .get("/dashboard/assets/dashboard.js", script)
                .head("/dashboard/assets/dashboard.js", HeadRequests.of(script))
                .any("/dashboard", Json.methodNotAllowed("GET /dashboard"))
                .get("/api/dashboard/events", this::events)
                .any("/api/dashboard/events", Json.methodNotAllowed("GET /api/dashboard/events"));
    }

    private void events(ServerRequest request, ServerResponse response) {
        if (!guard.admit(request, response)) {
            return;
        }
        ConnectionPage page;
        try {
            page = ConnectionPage.from(request.query().rawValue(), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        } catch (IllegalArgumentException e) {
            Json.error(response, 400, e.getMessage());
            return;
        }
        if (!streams.tryAcquire()) {
            REFUSALS.warn("Refused a dashboard stream: " + MAX_STREAMS + " are already open");
            Json.unavailable(response, "too many dashboard streams open (at most " + MAX_STREAMS + ")", retryAfter);
            return;
        }
        try {
            stream(request, response, page.limit(), page.offset(), page.channel());
        } finally {
            streams.release();
        }
    }

    /** Writes a snapshot per second until the client leaves (a write fails) or the gateway shuts down. */
    private void stream(ServerRequest request, ServerResponse response, int limit, int offset, String channel) {
        // HTTP/1.1: the calling thread's connection; HTTP/2: the request's stream, whose reset a write does not reveal
        StreamLink connection = connections.link(request, response);
        if (connection != null) {
            // the idle timeout must not cut the stream
            connection.streaming();
        }
        response.status(200);
        response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.header(HeaderNames.CACHE_CONTROL, "no-store");
        response.header(X_ACCEL_BUFFERING, "no");
        if (connection != null && connection.ownsConnection()) {
            // HTTP/1.1 (an HTTP/2 stream has no connection of its own, and HTTP/2 forbids the header)
            response.header(HeaderNames.CONNECTION, "close");
        }
        Rates rates = new Rates();
        try (OutputStream out = response.outputStream()) {
            while (!status.shuttingDown() && (connection == null || !connection.clientGone())) {
                ObjectNode snapshot = admin.statsBody(limit, offset, channel);
                rates.addTo(snapshot);
                snapshot.set("top_channels", admin.topChannels(TOP_CHANNELS));
                // compact JSON never contains a line break, so one data line carries it
                out.write(("event: stats\ndata: " + snapshot + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                awaitNextTick();
            }
        } catch (InterruptedException e) {
            // the server is stopping
            Thread.currentThread().interrupt();
        } catch (IOException | UncheckedIOException e) {
            // the browser left: nothing to clean up
        } finally {
            if (connection != null && !connection.ownsConnection()) {
                // an HTTP/2 stream's link is registered with its connection until closed
                connection.close();
            }
        }
    }

    /** Sleeps one tick, in slices, so that a shutdown ends the stream within a slice rather than a whole tick. */
    private void awaitNextTick() throws InterruptedException {
        long deadline = System.nanoTime() + TICK.toNanos();
        for (long left = TICK.toNanos(); left > 0 && !status.shuttingDown(); left = deadline - System.nanoTime()) {
            Thread.sleep(Duration.ofNanos(Math.min(left, SHUTDOWN_CHECK.toNanos())));
        }
    }

    /** Published and delivered per second, from the counters of consecutive snapshots. */
    private static final class Rates {
        private long lastNanos;
        private long lastPublished;
        private long lastDelivered;

        void addTo(ObjectNode snapshot) {
            long now = System.nanoTime();
            long published = snapshot.get("messages_published").asLong();
            long delivered = snapshot.get("events_delivered").asLong();
            double seconds = (now - lastNanos) / 1e9;
            boolean first = lastNanos == 0;
            snapshot.put("published_per_second", first ? 0 : round(Math.max(0, published - lastPublished) / seconds));
            snapshot.put("delivered_per_second", first ? 0 : round(Math.max(0, delivered - lastDelivered) / seconds));
            lastNanos = now;
            lastPublished = published;
            lastDelivered = delivered;
        }

        private static double round(double value) {
            return Math.round(value * 10) / 10.0;
        }
    }

    /** The page from {@code dashboard/index.mustache} and its partials; it depends on nothing that changes. */
    private static byte[] renderPage() {
        DefaultMustacheFactory templates = new DefaultMustacheFactory(name ->
                new InputStreamReader(open(name), StandardCharsets.UTF_8));
        Mustache mustache = templates.compile("index.mustache");
        StringWriter html = new StringWriter();
        mustache.execute(html, Map.of(
                "assets", "dashboard/assets",
                "eventsPath", "api/dashboard/events",
                "sendPath", "api/send",
                "connectPath", "sse/connect",
                "pageSize", DEFAULT_PAGE_SIZE));
        return html.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard resource " + name, e);
        }
    }

    private static InputStream open(String name) {
        InputStream in = DashboardService.class.getResourceAsStream("/dashboard/" + name);
        if (in == null) {
            throw new IllegalStateException("dashboard resource missing from the host jar: dashboard/" + name);
        }
        return in;
    }

    /** A fixed response with an ETag, so that browsers revalidate cheaply ({@code no-cache}) after an upgrade. */
    private static final class Asset implements Handler {
        private final String contentType;
        private final byte[] body;
        private final String etag;

        Asset(String contentType, byte[] body) {
            this.contentType = contentType;
            this.body = body;
            this.etag = '"' + sha256(body).substring(0, 32) + '"';
        }

        @Override
        public void handle(ServerRequest request, ServerResponse response) {
            response.header(CSP, CONTENT_SECURITY_POLICY);
            response.header(X_CONTENT_TYPE_OPTIONS, "nosniff");
            response.header(REFERRER_POLICY, "no-referrer");
            response.header(X_FRAME_OPTIONS, "DENY");
            response.header(HeaderNames.CACHE_CONTROL, "no-cache");
            response.header(HeaderNames.ETAG, etag);
            boolean unchanged = request.headers().first(HeaderNames.IF_NONE_MATCH)
                    .map(tags -> tags.contains(etag))
                    .orElse(false);
            if (unchanged) {
                response.status(304).send();
                return;
            }
            response.header(HeaderNames.CONTENT_TYPE, contentType);
            response.send(body);
        }

        private static String sha256(byte[] bytes) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from the JDK", e);
            }
        }
    }
}
