package io.ssegateway.host.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.Metrics;
import io.ssegateway.host.testkit.RecordingListener;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that closes its connection is noticed at once (the stream's thread reads the socket), whatever the
 * heartbeat and keep-alive intervals: a reconnect storm never meets ghosts of the previous round.
 */
class CloseDetectionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Far above the typical release (milliseconds), far below the keep-alive write that used to be the only way. */
    private static final Duration RELEASE_BOUND = Duration.ofSeconds(2);
    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.stop();
        }
    }

    /** Heartbeats off and an hour between keep-alive writes: only reading the socket can notice a closed client. */
    private Gateway quietGateway(RecordingListener listener) {
        return TestGateways.builder().heartbeatInterval(Duration.ZERO).keepAliveInterval(Duration.ofHours(1))
                .listener(listener).build().start();
    }

    private List<SseClient> subscribe(int count, String prefix) throws Exception {
        List<SseClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SseClient client = SseClient.subscribe(gateway.port(), prefix + (i % 20));
            assertEquals(200, client.status(), () -> "subscription refused: " + client.errorBody());
            clients.add(client);
        }
        return clients;
    }

    @Test
    void twoHundredClosedClientsAreAllReleasedWithinTwoSecondsWhateverTheKeepAlive() throws Exception {
        RecordingListener listener = new RecordingListener();
        gateway = quietGateway(listener);
        List<SseClient> clients = subscribe(200, "gone-");
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 200, WAIT,
                () -> "connected: " + gateway.connections().connectionCount());
        for (int i = 0; i < clients.size(); i++) {
            // half end with FIN, half with RST
            if (i % 2 == 0) {
                clients.get(i).close();
            } else {
                clients.get(i).abort();
            }
        }
        SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, RELEASE_BOUND,
                () -> "still registered: " + gateway.connections().connectionCount());
        SseClient.awaitCondition(() -> listener.disconnectCount() == 200, RELEASE_BOUND,
                () -> "onDisconnect calls: " + listener.disconnectCount());
        assertTrue(listener.exactlyOnceEach(), "onConnect/onDisconnect must be called exactly once per connection");
        assertEquals(200L, gateway.metrics().streamsEnded().get("client_gone"));
        // the gateway closed its side too: no socket is left behind (the scrape's own connection, and one the HTTP
        // client may keep from an earlier scrape, remain)
        SseClient.awaitCondition(() -> tcpConnections() <= 2, RELEASE_BOUND,
                () -> "TCP connections still open: " + tcpConnections());
    }

    @Test
    void aRoundOfConnectHangUpReconnectConnectsEveryClientAndReleasesEveryStreamEachTime() throws Exception {
        RecordingListener listener = new RecordingListener();
        gateway = quietGateway(listener);
        for (int round = 1; round <= 3; round++) {
            List<SseClient> clients = subscribe(100, "storm-");
            int expected = 100;
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == expected, WAIT,
                    () -> "connected: " + gateway.connections().connectionCount());
            clients.forEach(SseClient::close);
            int finished = round;
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 0, RELEASE_BOUND,
                    () -> "round " + finished + ": still registered " + gateway.connections().connectionCount());
        }
        SseClient.awaitCondition(() -> listener.disconnectCount() == 300, WAIT,
                () -> "onDisconnect calls: " + listener.disconnectCount());
        assertEquals(Long.valueOf(0), gateway.metrics().connectionsRejected().getOrDefault("max_connections", 0L));
    }

    @Test
    void aStreamTheGatewayEndsIsTerminatedProperlyAndItsConnectionClosed() throws Exception {
        gateway = quietGateway(new RecordingListener());
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.getOutputStream().write(("GET /sse/connect?channel_id=ending HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            SseClient.awaitCondition(() -> gateway.connections().connectionCount() == 1, WAIT, () -> "not connected");
            Thread.ofVirtual().start(gateway::stop);
            // everything up to the end of the connection: the chunked body must end with its terminating chunk
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.endsWith("\r\n0\r\n\r\n"), "no terminating chunk before the close: " + response);
        }
    }

    private int tcpConnections() {
        return (int) Metrics.value(gateway.port(), "sse_tcp_connections");
    }
}
