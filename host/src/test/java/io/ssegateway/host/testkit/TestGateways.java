package io.ssegateway.host.testkit;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.builtin.NoopSource;
import java.time.Duration;

/** Gateways for tests: any free port, short intervals, memory storage. */
public final class TestGateways {

    private TestGateways() {
    }

    /** A builder on port 0 with a no-op source, memory storage, 20 s heartbeats and a 2 s shutdown grace, no readiness grace. */
    public static Gateway.Builder builder() {
        return Gateway.builder()
                .port(0)
                .host("127.0.0.1")
                .source(new NoopSource())
                .storage(new MemoryStorage())
                .heartbeatInterval(Duration.ofSeconds(20))
                .keepAliveInterval(Duration.ofSeconds(20))
                .shutdownGrace(Duration.ofSeconds(2))
                // an outage shows in /ready at once
                .readinessGrace(Duration.ZERO);
    }
}
