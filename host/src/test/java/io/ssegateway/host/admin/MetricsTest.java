package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.core.Rejection;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.Metrics;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /metrics} through Micrometer: histograms, JVM and process series, counters at zero, content negotiation. */
class MetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void aFreshGatewayHasEveryRejectionJvmAndProcessSeries() {
        Gateway gateway = gateways.start();
        String text = Http.get(gateway.port(), "/metrics").body();
        for (Rejection rejection : Rejection.values()) {
            String name = rejection.kind() == Rejection.Kind.MESSAGE ? "sse_messages_rejected_total"
                    : "sse_connections_rejected_total";
            assertEquals(0.0, value(text, name + "{reason=\"" + rejection.label() + "\"}"), rejection.label());
        }
        for (String phase : new String[] {"header", "body", "idle"}) {
            assertEquals(0.0, value(text, "sse_connections_timed_out_total{phase=\"" + phase + "\"}"), phase);
        }
        assertEquals(0.0, value(text, "sse_connections_closed_total{reason=\"slow_consumer\"}"));
        assertEquals(0.0, value(text, "sse_auth_denied_total"));
        assertTrue(value(text, "process_open_fds") > 0, text);
        assertTrue(value(text, "process_max_fds") >= value(text, "process_open_fds"));
        double start = value(text, "process_start_time_seconds");
        double now = System.currentTimeMillis() / 1000.0;
        assertTrue(start > now - 3600 && start <= now, "process_start_time_seconds " + start);
        assertTrue(text.contains("\njvm_memory_used_bytes{area=\"heap\""), text);
        // GC: pauses appear with the first collection; these from the start
        assertTrue(text.contains("\njvm_gc_memory_allocated_bytes_total "), text);
        assertTrue(text.contains("\njvm_gc_live_data_size_bytes "), text);
        System.gc();
        SseClient.awaitCondition(() -> Http.get(gateway.port(), "/metrics").body().contains("\njvm_gc_pause_seconds_count{"),
                WAIT, () -> "no GC pause series after System.gc()");
        assertTrue(text.contains("\njvm_threads_live_threads "), text);
        assertTrue(!text.contains("sse_uptime_seconds"), "renamed to process_start_time_seconds");
        for (String histogram : new String[] {"sse_api_send_duration_seconds", "sse_delivery_latency_seconds",
                "sse_replay_duration_seconds", "sse_replay_size_bytes", "sse_connect_first_byte_seconds"}) {
            assertTrue(text.contains("# TYPE " + histogram + " histogram"), histogram + " in\n" + text);
            assertEquals(0.0, value(text, histogram + "_bucket{le=\"+Inf\"}"), histogram);
        }
    }

    @Test
    void histogramsCountSendsDeliveriesReplaysAndFirstBytes() throws Exception {
        Gateway gateway = gateways.start();
        int port = gateway.port();
        String first;
        try (SseClient client = SseClient.subscribe(port, "h")) {
            first = Http.publish(port, "h", "t", "one");
            Http.publish(port, "h", "t", "two");
            client.awaitMessages(2, WAIT);
        }
        try (SseClient replaying = SseClient.connect(port, "/sse/connect?channel_id=h&last_event_id=" + first,
                SseClient.options())) {
            replaying.awaitMessages(1, WAIT);
        }
        SseClient.awaitCondition(() -> value(Http.get(port, "/metrics").body(),
                "sse_connect_first_byte_seconds_count") == 2, WAIT, () -> "first bytes");
        String text = Http.get(port, "/metrics").body();
        assertEquals(2.0, value(text, "sse_api_send_duration_seconds_count"));
        assertEquals(2.0, value(text, "sse_api_send_duration_seconds_bucket{le=\"+Inf\"}"));
        // one or two write batches for the two events
        double deliveries = value(text, "sse_delivery_latency_seconds_count");
        assertTrue(deliveries >= 1 && deliveries <= 2, "delivery samples " + deliveries);
        assertEquals(deliveries, value(text, "sse_delivery_latency_seconds_bucket{le=\"10.0\"}"));
        assertEquals(1.0, value(text, "sse_replay_duration_seconds_count"));
        assertEquals(1.0, value(text, "sse_replay_size_bytes_count"));
        // the replay sent event "two": id, event and data lines
        double bytes = value(text, "sse_replay_size_bytes_sum");
        assertTrue(bytes > 30 && bytes < 200, "replayed bytes " + bytes);
        assertEquals(1.0, value(text, "sse_replay_size_bytes_bucket{le=\"1024.0\"}"));
    }

    @Test
    void rejectionsAreCountedUnderTheirLabel() {
        Gateway gateway = gateways.start(TestGateways.builder().maxConnections(1));
        int port = gateway.port();
        assertEquals(400, Http.postJson(port, "/api/send", "{\"channel_id\":\"a\",\"event_type\":\"x\\ny\",\"data\":\"d\"}").status());
        String text = Http.get(port, "/metrics").body();
        assertEquals(1.0, value(text, "sse_messages_rejected_total{reason=\"control_characters\"}"));
        assertEquals(0.0, value(text, "sse_messages_rejected_total{reason=\"too_large\"}"));
        assertEquals(Map.of("control_characters", 1L), gateway.metrics().messagesRejected());
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() {
        Gateway gateway = gateways.start();
        Http.Response prometheus = Http.get(gateway.port(), "/metrics");
        assertEquals("text/plain; version=0.0.4; charset=utf-8", prometheus.header("content-type"));
        assertTrue(!prometheus.body().contains("# EOF"));
        Http.Response openMetrics = Http.get(gateway.port(), "/metrics",
                Map.of("Accept", "application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5"));
        assertEquals(200, openMetrics.status());
        assertTrue(openMetrics.header("content-type").startsWith("application/openmetrics-text"));
        assertTrue(openMetrics.body().endsWith("# EOF\n"), openMetrics.body());
        assertTrue(openMetrics.body().contains("\nsse_connections_opened_total 0"), openMetrics.body());
    }

    private static double value(String text, String series) {
        return Metrics.value(text, series);
    }
}
