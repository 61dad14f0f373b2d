package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.Metrics;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code gateway.send-backpressure} end to end: a burst of {@code /api/send} to a channel with a few hundred real
 * subscribers builds a real backlog in the write passes; with a delay the publisher is held back (the wait metric
 * counts it) and every subscriber still gets every message in order; with the delay at zero no publish ever waits.
 */
@Timeout(120)
class SendBackpressureTest {

    private static final int SUBSCRIBERS = 200;
    private static final int MESSAGES = 100;
    private static final String WAITS = "sse_api_send_backpressure_wait_seconds_count";

    @Test
    void aBurstIsHeldBackWhileTheFanOutIsBehindAndNothingIsLost() throws Exception {
        // 1 ms: any batch written later than that after its publish counts as behind, so the burst must wait
        double waits = burst(Duration.ofMillis(1));
        assertTrue(waits > 0, "no /api/send was held back by a fan-out to " + SUBSCRIBERS + " subscribers");
    }

    @Test
    void withTheDelayAtZeroNoPublishWaits() throws Exception {
        assertEquals(0.0, burst(Duration.ZERO), "send-backpressure.delay 0 must never hold a publisher back");
    }

    /** Publishes {@link #MESSAGES} to {@link #SUBSCRIBERS}, checks every stream, returns how many publishes waited. */
    private static double burst(Duration delay) throws Exception {
        Gateway gateway = TestGateways.builder().sendBackpressureDelay(delay)
                .sendBackpressureMaxWait(Duration.ofMillis(500)).build().start();
        List<SseClient> clients = new ArrayList<>();
        try {
            int port = gateway.port();
            for (int i = 0; i < SUBSCRIBERS; i++) {
                clients.add(SseClient.subscribe(port, "burst"));
            }
            SseClient.awaitCondition(() -> Metrics.value(port, "sse_connections") == SUBSCRIBERS,
                    Duration.ofSeconds(30), () -> "not every subscriber was registered");
            for (int i = 0; i < MESSAGES; i++) {
                Http.publish(port, "burst", "tick", Integer.toString(i));
            }
            List<String> expected = IntStream.range(0, MESSAGES).mapToObj(Integer::toString).toList();
            for (SseClient client : clients) {
                List<String> received = client.awaitMessages(MESSAGES, Duration.ofSeconds(60)).stream()
                        .map(SseClient.Event::data).toList();
                assertEquals(expected, received, "a subscriber's stream");
            }
            return Metrics.value(port, WAITS);
        } finally {
            clients.forEach(SseClient::close);
            gateway.stop();
        }
    }
}
