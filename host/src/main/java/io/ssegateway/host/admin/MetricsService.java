package io.ssegateway.host.admin;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ssegateway.host.channel.Subscriptions;
import io.ssegateway.host.core.GatewayMetrics;
import io.ssegateway.host.http.HeadRequests;

/**
 * {@code GET /metrics}: the gateway's registry in the Prometheus text format, or OpenMetrics when the scraper's
 * {@code Accept} asks for {@code application/openmetrics-text}. Instance totals only — per-channel series would
 * explode with the number of channels.
 */
public final class MetricsService implements HttpService {

    private static final String OPENMETRICS = "application/openmetrics-text";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS_TEXT = OPENMETRICS + "; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    /** Registers the gauges read from the connections and the status with {@code metrics}' registry. */
    public MetricsService(GatewayMetrics metrics, Subscriptions connections, GatewayStatus status) {
        this.registry = metrics.registry();
        Gauge.builder("sse.connections", connections, Subscriptions::connectionCount)
                .description("Open SSE connections on this instance.").register(registry);
        Gauge.builder("sse.channels", connections, Subscriptions::channelCount)
                .description("Channels with at least one connection on this instance.").register(registry);
        Gauge.builder("sse.queued.events", connections, MetricsService::queued)
                .description("Events waiting in connection queues.").register(registry);
        Gauge.builder("sse.write.backlog", connections, c -> c.passes().backlog())
                .description("Connections with a write waiting for a thread (the fan-out's backlog).").register(registry);
        Gauge.builder("sse.tcp.connections", status, GatewayStatus::tcpConnections)
                .description("TCP connections the listener holds (streams and requests).").register(registry);
        Gauge.builder("sse.tcp.connections.max", status, GatewayStatus::maxTcpConnections)
                .description("server.max-tcp-connections: at this many the listener stops accepting.").register(registry);
        Gauge.builder("sse.source.up", status, s -> s.sourceReady() ? 1 : 0).tag("source", status.sourceName())
                .description("Whether the source runs and is connected.").register(registry);
        Gauge.builder("sse.storage.available", status, s -> s.storageAvailable() ? 1 : 0)
                .tag("storage", status.storageName()).description("Whether the storage is available.").register(registry);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", this::metrics)
                .head("/metrics", HeadRequests.of(this::metrics));
    }

    private void metrics(ServerRequest request, ServerResponse response) {
        boolean openMetrics = request.headers().first(HeaderNames.ACCEPT).map(accept -> accept.contains(OPENMETRICS))
                .orElse(false);
        String contentType = openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        response.header(HeaderNames.CONTENT_TYPE, contentType);
        response.send(registry.scrape(contentType));
    }

    private static double queued(Subscriptions connections) {
        long[] queued = {0};
        connections.forEach(subscriber -> queued[0] += subscriber.queued());
        return queued[0];
    }
}
