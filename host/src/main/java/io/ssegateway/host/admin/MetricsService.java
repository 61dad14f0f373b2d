package io.ssegateway.host.admin;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.GatewayMetrics;
import io.ssegateway.host.channel.ChannelRegistry;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code GET /metrics}: Prometheus text format. Instance totals only — per-channel series would explode with
 * the number of channels.
 */
public final class MetricsService implements HttpService {

    private final GatewayMetrics metrics;
    private final ChannelRegistry registry;
    private final GatewayStatus status;

    public MetricsService(GatewayMetrics metrics, ChannelRegistry registry, GatewayStatus status) {
        this.metrics = metrics;
        this.registry = registry;
        this.status = status;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", this::metrics);
    }

    private void metrics(ServerRequest request, ServerResponse response) {
        StringBuilder text = new StringBuilder(4096);
        long[] queued = {0};
        registry.forEach(subscriber -> queued[0] += subscriber.queued());
        gauge(text, "sse_connections", "Open SSE connections on this instance.", registry.connectionCount());
        gauge(text, "sse_channels", "Channels with at least one connection on this instance.", registry.channelCount());
        gauge(text, "sse_queued_events", "Events waiting in connection queues.", queued[0]);
        counter(text, "sse_connections_opened_total", "SSE connections accepted.", metrics.connectionsOpened);
        labelled(text, "sse_connections_rejected_total", "Subscriptions refused before streaming, by reason.", "reason",
                metrics.connectionsRejected());
        counter(text, "sse_messages_published_total", "Messages accepted for delivery.", metrics.messagesPublished);
        counter(text, "sse_events_delivered_total", "Events written to clients.", metrics.eventsDelivered);
        counter(text, "sse_slow_consumers_dropped_total", "Connections closed because their queue was full.",
                metrics.slowConsumersDropped);
        labelled(text, "sse_messages_rejected_total", "Invalid messages refused or dropped, by reason.", "reason",
                metrics.messagesRejected());
        counter(text, "sse_append_failures_total", "Messages the storage failed to append.", metrics.appendFailures);
        counter(text, "sse_messages_not_stored_total", "Messages delivered live without being stored.",
                metrics.messagesNotStored);
        counter(text, "sse_replays_total", "Subscriptions that asked for a replay.", metrics.replays);
        counter(text, "sse_replay_gaps_total", "Replays whose history did not reach back (gap event sent).",
                metrics.replayGaps);
        counter(text, "sse_replayed_events_total", "Events sent from history.", metrics.replayedEvents);
        counter(text, "sse_duplicates_skipped_total", "Events not re-sent to a connection that already had them.",
                metrics.duplicatesSkipped);
        counter(text, "sse_replay_failures_total", "Replays that failed in the storage.", metrics.replayFailures);
        counter(text, "sse_auth_denied_total", "Subscriptions denied by the authenticator.", metrics.authDenied);
        counter(text, "sse_auth_errors_total", "Authenticator failures (answered 503).", metrics.authErrors);
        counter(text, "sse_plugin_callback_errors_total", "Exceptions thrown by plugin callbacks.",
                metrics.callbackErrors);
        text.append("# HELP sse_source_up Whether the source runs and is connected.\n# TYPE sse_source_up gauge\n")
                .append("sse_source_up{source=\"").append(escape(status.sourceName())).append("\"} ")
                .append(status.sourceReady() ? 1 : 0).append('\n');
        text.append("# HELP sse_storage_available Whether the storage is available.\n# TYPE sse_storage_available gauge\n")
                .append("sse_storage_available{storage=\"").append(escape(status.storageName())).append("\"} ")
                .append(status.storageAvailable() ? 1 : 0).append('\n');
        gauge(text, "sse_uptime_seconds", "Seconds since start.", status.uptime().toSeconds());
        response.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        response.send(text.toString());
    }

    private static void gauge(StringBuilder text, String name, String help, long value) {
        header(text, name, help, "gauge").append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder text, String name, String help, LongAdder value) {
        header(text, name, help, "counter").append(name).append(' ').append(value.sum()).append('\n');
    }

    private static void labelled(StringBuilder text, String name, String help, String label, Map<String, Long> values) {
        header(text, name, help, "counter");
        values.forEach((key, value) -> text.append(name).append('{').append(label).append("=\"").append(escape(key))
                .append("\"} ").append(value).append('\n'));
    }

    private static StringBuilder header(StringBuilder text, String name, String help, String type) {
        return text.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
