package io.ssegateway.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SmokeTest {

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void publishedEventReachesSubscriber() throws Exception {
        Gateway gateway = gateways.start();
        try (SseClient client = SseClient.subscribe(gateway.port(), "u1")) {
            assertEquals(200, client.status());
            String id = Http.publish(gateway.port(), "u1", "greeting", "hello");
            SseClient.Event event = client.awaitMessages(1, Duration.ofSeconds(5)).get(0);
            assertEquals("greeting", event.type());
            assertEquals("hello", event.data());
            assertEquals(id, event.id());
        }
    }
}
