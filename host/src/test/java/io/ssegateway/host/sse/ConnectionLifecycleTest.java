package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.Metrics;
import io.ssegateway.host.testkit.RecordingListener;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import io.ssegateway.spi.lifecycle.ConnectionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dead-connection detection, limits, listeners and shutdown. */
class ConnectionLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    @RegisterExtension
    final Gateways gateways = new Gateways();
    private Gateway gateway;


    @Test
    void abruptlyClosedClientsAreUnregisteredWithinThreeCleanupIntervals() throws Exception {
        Duration cleanup = Duration.ofMillis(400);
        RecordingListener listener = new RecordingListener();
        gateway = gateways.start(TestGateways.builder().heartbeatInterval(Duration.ZERO).keepAliveInterval(cleanup).listener(listener)
                );
        List<SseClient> clients = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            clients.add(SseClient.subscribe(gateway.port(), "dead-" + (i % 50)));
        }
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 500, WAIT,
                () -> "connected: " + gateway.connections().connectionCount());
        for (int i = 0; i < clients.size(); i++) {
            if (i % 2 == 0) {
                clients.get(i).abort();
            } else {
                clients.get(i).close();
            }
        }
        long closedAt = System.nanoTime();
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, cleanup.multipliedBy(3),
                () -> "still registered: " + gateway.connections().connectionCount());
        long tookMillis = (System.nanoTime() - closedAt) / 1_000_000;
        SseClient.awaitCondition(() -> listener.disconnectCount() == 500, WAIT,
                () -> "onDisconnect calls: " + listener.disconnectCount());
        assertTrue(listener.exactlyOnceEach(), "onConnect/onDisconnect must be called exactly once per connection");
        assertEquals(0, gateway.connections().channels().size());
        assertTrue(tookMillis <= cleanup.multipliedBy(3).toMillis(), "took " + tookMillis + " ms");
    }

    @Test
    void connectionLimitAnswers503WithRetryAfter() throws Exception {
        // a closed client is noticed at the next write: probe idle connections often
        gateway = gateways.start(TestGateways.builder().maxConnections(3).retryAfter(Duration.ofSeconds(7))
                .keepAliveInterval(Duration.ofMillis(200)));
        List<SseClient> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            open.add(SseClient.subscribe(gateway.port(), "l" + i));
        }
        SseClient refused = SseClient.subscribe(gateway.port(), "l9");
        assertEquals(503, refused.status());
        assertEquals("7", refused.header("retry-after"));
        assertTrue(refused.errorBody().contains("connection limit"), refused.errorBody());
        open.get(0).close();
        SseClient.awaitCondition(() -> {
            try (SseClient retry = SseClient.subscribe(gateway.port(), "l9")) {
                return retry.status() == 200;
            } catch (Exception e) {
                return false;
            }
        }, WAIT, () -> "a slot never freed up");
        assertTrue(gateway.metrics().connectionsRejected().get("max_connections") >= 1);
        open.forEach(SseClient::close);
    }

    @Test
    void perAddressLimitCountsEachClientAddress() throws Exception {
        gateway = gateways.start(TestGateways.builder().host("0.0.0.0").maxConnectionsPerIp(2));
        int port = gateway.port();
        try (SseClient a1 = SseClient.connect(port, "/sse/connect?channel_id=c", SseClient.options().from("127.0.0.1"));
             SseClient a2 = SseClient.connect(port, "/sse/connect?channel_id=c", SseClient.options().from("127.0.0.1"));
             SseClient a3 = SseClient.connect(port, "/sse/connect?channel_id=c", SseClient.options().from("127.0.0.1"));
             SseClient b1 = SseClient.connect(port, "/sse/connect?channel_id=c", SseClient.options().from("127.0.0.2"))) {
            assertEquals(200, a1.status());
            assertEquals(200, a2.status());
            assertEquals(503, a3.status());
            assertTrue(a3.errorBody().contains("too many connections from this address"), a3.errorBody());
            assertEquals(200, b1.status());
        }
    }

    @Test
    void listenerExceptionsAreCountedAndNeverBreakTheConnection() throws Exception {
        ConnectionListener throwing = new ConnectionListener() {
            @Override
            public void onConnect(ConnectionInfo connection) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onDisconnect(ConnectionInfo connection) {
                throw new IllegalStateException("listener bug");
            }
        };
        RecordingListener recording = new RecordingListener();
        gateway = gateways.start(TestGateways.builder().listener(throwing).listener(recording).keepAliveInterval(Duration.ofMillis(200))
                );
        try (SseClient client = SseClient.connect(gateway.port(), "/sse/connect?channel_id=c",
                SseClient.options().header("User-Agent", "lifecycle-test/1.0"))) {
            Http.publish(gateway.port(), "c", "n", "still works");
            assertEquals("still works", client.awaitMessages(1, WAIT).get(0).data());
            ConnectionInfo info = recording.infos.values().iterator().next();
            assertEquals("c", info.channelId());
            assertEquals("lifecycle-test/1.0", info.userAgent());
            assertEquals("127.0.0.1", info.clientIp());
            assertEquals(gateway.instanceId(), info.instanceId());
        }
        SseClient.awaitCondition(() -> recording.disconnectCount() == 1, WAIT, () -> "no onDisconnect");
        assertEquals(2, gateway.metrics().callbackErrors.sum());
    }

    @Test
    void shutdownEndsAThousandStreamsWithinTheGracePeriod() throws Exception {
        RecordingListener listener = new RecordingListener();
        Duration grace = Duration.ofSeconds(3);
        gateway = gateways.start(TestGateways.builder().shutdownGrace(grace).listener(listener));
        int port = gateway.port();
        List<SseClient> clients = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            clients.add(SseClient.subscribe(port, "s" + (i % 100)));
        }
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 1000, WAIT,
                () -> "connected: " + gateway.connections().connectionCount());
        long start = System.nanoTime();
        gateway.stop();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis < grace.toMillis(), "shutdown took " + tookMillis + " ms");
        for (SseClient client : clients) {
            client.awaitEnd(WAIT);
        }
        assertEquals(1000, listener.disconnectCount());
        assertTrue(listener.exactlyOnceEach());
        assertEquals(0, gateway.connections().connectionCount());
        gateway = null;
    }

    @Test
    void duringShutdownNewSubscriptionsAreRefusedAndAStuckWriterIsAbortedAfterTheGrace() throws Exception {
        Duration grace = Duration.ofSeconds(2);
        RecordingListener listener = new RecordingListener();
        gateway = gateways.start(TestGateways.builder().shutdownGrace(grace).listener(listener));
        int port = gateway.port();
        // a client that stopped reading: its writer blocks in a socket write once the buffers are full
        SseClient stalled = SseClient.connect(port, "/sse/connect?channel_id=c",
                SseClient.options().receiveBuffer(2048).dontRead());
        String payload = "y".repeat(64 * 1024);
        for (int i = 0; i < 160; i++) {
            Http.publish(port, "c", "bulk", payload);
        }
        SseClient.awaitCondition(() -> Metrics.value(port, "sse_queued_events") > 0, WAIT,
                () -> "the writer never got stuck");
        long start = System.nanoTime();
        Thread stopping = Thread.ofVirtual().start(gateway::stop);
        SseClient.awaitCondition(() -> Http.get(port, "/ready").status() == 503, WAIT, () -> "never unready");
        assertTrue(Http.get(port, "/ready").body().contains("shutting down"));
        SseClient refused = SseClient.subscribe(port, "c");
        assertEquals(503, refused.status());
        assertTrue(refused.errorBody().contains("shutting down"), refused.errorBody());
        stopping.join(WAIT);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis >= grace.toMillis() - 100 && tookMillis < grace.toMillis() + 3_000, "took " + tookMillis);
        assertEquals(0, gateway.connections().connectionCount());
        assertEquals(1, listener.disconnectCount());
        stalled.close();
        gateway = null;
    }
}
