package io.ssegateway.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SourceSupervisionTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    /** Fails its first run (after telling the test), then delivers one message and runs until cancelled. */
    private static final class FailsOnce implements MessageSource {
        final AtomicInteger runs = new AtomicInteger();
        final CountDownLatch failing = new CountDownLatch(1);
        final CountDownLatch mayFail = new CountDownLatch(1);

        @Override
        public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel)
                throws Exception {
            if (runs.incrementAndGet() == 1) {
                failing.countDown();
                mayFail.await();
                throw new java.io.IOException("broker connection lost");
            }
            handler.handle(IncomingMessage.toChannel("c", "recovered", "run " + runs.get()), IfStorageFails.DELIVER_UNSTORED);
            cancel.await();
        }

        @Override
        public String name() {
            return "fails-once";
        }
    }

    @Test
    void aFailedSourceMakesTheGatewayUnreadyAndIsRestarted() throws Exception {
        FailsOnce source = new FailsOnce();
        Gateway gateway = gateways.start(TestGateways.builder().source(source));
        try (SseClient client = SseClient.subscribe(gateway.port(), "c")) {
            assertTrue(source.failing.await(10, TimeUnit.SECONDS));
            assertEquals(200, Http.get(gateway.port(), "/ready").status());
            source.mayFail.countDown();
            SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 503, Duration.ofSeconds(5),
                    () -> "never unready");
            Http.Response ready = Http.get(gateway.port(), "/ready");
            assertTrue(ready.json().get("error").asText().contains("source 'fails-once' is failed"), ready.body());
            assertEquals("FAILED", Http.get(gateway.port(), "/api/stats").json().get("source").get("state").asText());
            assertEquals("run 2", client.awaitMessages(1, Duration.ofSeconds(10)).get(0).data());
            assertEquals(200, Http.get(gateway.port(), "/ready").status());
        }
    }

    @Test
    void aSourceThatReportsItselfUnavailableMakesTheGatewayUnready() throws Exception {
        AvailabilitySource source = new AvailabilitySource();
        Gateway gateway = gateways.start(TestGateways.builder().source(source));
        SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 200, Duration.ofSeconds(5),
                () -> "never ready");
        source.available = false;
        Http.Response ready = Http.get(gateway.port(), "/ready");
        assertEquals(503, ready.status());
        assertTrue(ready.json().get("error").asText().contains("source 'toggling' is disconnected"), ready.body());
        assertTrue(Http.get(gateway.port(), "/metrics").body().contains("sse_source_up{source=\"toggling\"} 0"));
    }

    private static final class AvailabilitySource implements MessageSource {
        volatile boolean available = true;

        @Override
        public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel)
                throws InterruptedException {
            cancel.await();
        }

        @Override
        public String name() {
            return "toggling";
        }

        @Override
        public boolean isAvailable() {
            return available;
        }
    }
}
