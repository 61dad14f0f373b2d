package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.host.testkit.FlakyStorage;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code gateway.management.port}: operations on their own listener, off the public one; readiness grace. */
class ManagementPortTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String[] OPERATIONS = {"/health", "/ready", "/metrics", "/api/stats", "/openapi.yaml",
            "/dashboard"};

    @RegisterExtension
    final Gateways gateways = new Gateways();

    @Test
    void operationsAnswerOnTheManagementPortAndNotOnThePublicOne() throws Exception {
        Gateway gateway = gateways.start(TestGateways.builder().managementPort(0));
        int management = gateway.managementPort();
        assertTrue(management > 0 && management != gateway.port(), "management port " + management);
        for (String path : OPERATIONS) {
            assertEquals(200, Http.get(management, path).status(), path + " on the management port");
            Http.Response onPublic = Http.get(gateway.port(), path);
            assertEquals(404, onPublic.status(), path + " on the public port");
            assertEquals("no route for GET " + path, onPublic.json().get("error").asText());
        }
        assertEquals(404, Http.postJson(gateway.port(), "/api/send",
                "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":1}").status());
        // streams stay on the public port, and are published to through the management one
        try (SseClient client = SseClient.subscribe(gateway.port(), "c")) {
            Http.Response sent = Http.postJson(management, "/api/send", "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":1}");
            assertEquals(200, sent.status(), sent.body());
            client.awaitMessages(1, WAIT);
            assertEquals(1, Http.get(management, "/api/stats").json().get("total_connections").asInt());
        }
        assertEquals(404, Http.get(management, "/sse/connect?channel_id=c").status());
    }

    @Test
    void withoutAManagementPortEverythingIsOnThePublicPort() {
        Gateway gateway = gateways.start();
        assertEquals(-1, gateway.managementPort());
        for (String path : OPERATIONS) {
            assertEquals(200, Http.get(gateway.port(), path).status(), path);
        }
    }

    @Test
    void aTakenManagementPortMakesStartThrowNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Gateway gateway = TestGateways.builder().managementPort(taken.getLocalPort()).build();
            IllegalStateException e = assertThrows(IllegalStateException.class, gateway::start);
            assertEquals("cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use (BindException)", e.getMessage());
            gateway.stop();
            IllegalStateException checked = assertThrows(IllegalStateException.class, () -> Gateway.builder()
                    .host("127.0.0.1").port(0).managementPort(taken.getLocalPort()).checkListenAddress());
            assertEquals(e.getMessage(), checked.getMessage());
        }
        IllegalStateException same = assertThrows(IllegalStateException.class,
                () -> TestGateways.builder().port(18080).managementPort(18080).build());
        assertTrue(same.getMessage().contains("managementPort must differ from port"), same.getMessage());
    }

    @Test
    void aStorageBlipWithinTheReadinessGraceKeepsTheInstanceReady() {
        FlakyStorage storage = new FlakyStorage(new MemoryStorage());
        Gateway gateway = gateways.start(TestGateways.builder().storage(storage).readinessGrace(Duration.ofSeconds(2)));
        int port = gateway.port();
        SseClient.awaitCondition(() -> Http.get(port, "/ready").status() == 200, WAIT, () -> "never ready");
        storage.down();
        long downAt = System.nanoTime();
        Http.Response degraded = Http.get(port, "/ready");
        assertEquals(200, degraded.status());
        assertEquals("READY (degraded: storage 'flaky-memory' is unavailable)", degraded.body());
        SseClient.awaitCondition(() -> Http.get(port, "/ready").status() == 503, WAIT, () -> "never unready");
        assertTrue(System.nanoTime() - downAt >= Duration.ofSeconds(2).toNanos(), "unready before the grace was over");
        storage.up();
        assertEquals("READY", Http.get(port, "/ready").body());
        // a new outage gets a new grace
        storage.down();
        assertEquals(200, Http.get(port, "/ready").status());
    }

    @Test
    void neverHavingBeenReadyOrShuttingDownIsReportedAtOnce() {
        FlakyStorage storage = new FlakyStorage(new MemoryStorage());
        storage.down();
        Gateway gateway = gateways.start(TestGateways.builder().storage(storage).readinessGrace(Duration.ofMinutes(5)));
        assertEquals(503, Http.get(gateway.port(), "/ready").status());
        storage.up();
        assertEquals(200, Http.get(gateway.port(), "/ready").status());
    }
}
