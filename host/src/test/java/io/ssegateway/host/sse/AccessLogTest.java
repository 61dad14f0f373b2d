package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code gateway.access-log}: a line per connect and disconnect with its fields, and none unless asked for. */
class AccessLogTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void connectsAndDisconnectsAreLoggedWithTheirFields() throws Exception {
        List<LogRecord> records = capture(() -> {
            Gateway gateway = gateways.start(TestGateways.builder().accessLog(true));
            try (SseClient client = SseClient.subscribe(gateway.port(), "orders")) {
                Http.publish(gateway.port(), "orders", "t", "one");
                Http.publish(gateway.port(), "orders", "t", "two");
                client.awaitMessages(2, WAIT);
            }
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, WAIT, () -> "still open");
        }, 2);
        Map<?, ?> connect = (Map<?, ?>) records.get(0).getParameters()[0];
        assertEquals("sse_connect", connect.get("event"));
        assertEquals("orders", connect.get("channel"));
        assertEquals("127.0.0.1", connect.get("client"));
        Map<?, ?> disconnect = (Map<?, ?>) records.get(1).getParameters()[0];
        assertEquals("sse_disconnect", disconnect.get("event"));
        assertEquals(connect.get("connection"), disconnect.get("connection"));
        assertEquals(2L, disconnect.get("events_sent"));
        assertEquals("client_gone", disconnect.get("close_reason"));
        assertTrue((Long) disconnect.get("duration_ms") >= 0);
        assertTrue(records.get(1).getMessage().startsWith("SSE disconnect channel=orders client=127.0.0.1 "),
                records.get(1).getMessage());
    }

    @Test
    void offByDefault() throws Exception {
        List<LogRecord> records = capture(() -> {
            Gateway gateway = gateways.start();
            try (SseClient client = SseClient.subscribe(gateway.port(), "quiet")) {
                Http.publish(gateway.port(), "quiet", "t", "one");
                client.awaitMessages(1, WAIT);
            }
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, WAIT, () -> "still open");
        }, 0);
        assertEquals(List.of(), records);
    }

    private interface Body {
        void run() throws Exception;
    }

    /** The access-log records while {@code body} runs; waits for {@code expected} of them. */
    private static List<LogRecord> capture(Body body, int expected) throws Exception {
        try (LogCapture log = LogCapture.of(AccessLog.LOG)) {
            body.run();
            SseClient.awaitCondition(() -> log.records().size() >= expected, WAIT, () -> "records: " + log.records().size());
            return log.records();
        }
    }
}
