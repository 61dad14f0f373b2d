package io.ssegateway.host.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.GatewayProcess;
import io.ssegateway.host.testkit.SseClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher in a real process, under a low open-files limit: the listener outlives a flood of silent connections,
 * a listener that dies all the same ends the process with status 3, and a port that cannot be bound stops start-up.
 */
class ListenerSurvivalTest {

    /** Enough for the JVM, its jars and a listener capped at half of it (the gateway's default reserve). */
    private static final int OPEN_FILES = 256;
    private static final Duration START = Duration.ofSeconds(60);

    /** Opens {@code count} TCP connections that send nothing (those the listener does not accept wait in its backlog). */
    private static List<Socket> silentConnections(int port, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            sockets.add(socket);
        }
        return sockets;
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Test
    void moreSilentConnectionsThanOpenFilesLeaveTheListenerServing(@TempDir Path dir) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dir, OPEN_FILES,
                Map.of("SERVER_REQUEST_dash_HEADER_dash_TIMEOUT", "2s")).awaitHealthy(START)) {
            List<Socket> flood = silentConnections(gateway.port(), OPEN_FILES + 150);
            try {
                // while the flood holds its sockets, the header timeout frees the listener's slots: /health gets through
                SseClient.awaitCondition(() -> gateway.healthStatus(Duration.ofSeconds(3)) == 200,
                        Duration.ofSeconds(60), () -> "/health did not answer during the flood:\n" + gateway.output());
            } finally {
                closeAll(flood);
            }
            assertEquals(200, gateway.healthStatus(Duration.ofSeconds(10)));
            assertTrue(gateway.isAlive());
            assertFalse(gateway.output().contains("Too many open files"), gateway.output());
        }
    }

    @Test
    void aFloodHeldForThreeSecondsThenReleasedLeavesHealthAnswering(@TempDir Path dir) throws Exception {
        // the acceptance run: default timeouts, the flood closes before any of them
        try (GatewayProcess gateway = GatewayProcess.start(dir, OPEN_FILES, Map.of())
                .awaitHealthy(START)) {
            List<Socket> flood = silentConnections(gateway.port(), OPEN_FILES + 150);
            Thread.sleep(3_000);
            closeAll(flood);
            SseClient.awaitCondition(() -> gateway.healthStatus(Duration.ofSeconds(3)) == 200, Duration.ofSeconds(30),
                    () -> "/health did not answer after the flood:\n" + gateway.output());
            assertFalse(gateway.output().contains("Too many open files"), gateway.output());
        }
    }

    @Test
    void aListenerThatRunsOutOfFileDescriptorsEndsTheProcessWithStatus3(@TempDir Path dir) throws Exception {
        // a TCP cap far above the open-files limit: accept meets EMFILE, and Helidon's listener stops for good
        try (GatewayProcess gateway = GatewayProcess.start(dir, OPEN_FILES,
                Map.of("SERVER_MAX_dash_TCP_dash_CONNECTIONS", "5000", "GATEWAY_MAX_dash_CONNECTIONS", "4000"))
                .awaitHealthy(START)) {
            List<Socket> flood = new ArrayList<>();
            try {
                flood.addAll(silentConnections(gateway.port(), OPEN_FILES + 150));
                assertEquals(3, gateway.awaitExit(Duration.ofSeconds(60)), gateway.output());
            } finally {
                closeAll(flood);
            }
            String output = gateway.output();
            assertTrue(output.contains("stopped accepting connections (Too many open files"), output);
            assertTrue(output.contains("Exiting with status 3"), output);
        }
    }

    @Test
    void aPortAlreadyTakenStopsStartUpWithStatus1AndOneLineNamingIt(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            try (GatewayProcess gateway = GatewayProcess.start(dir, 0, Map.of("PORT", Integer.toString(port)))) {
                assertEquals(1, gateway.awaitExit(Duration.ofSeconds(60)), gateway.output());
                String output = gateway.output();
                assertTrue(output.contains("sse-gateway: could not start: cannot listen on 0.0.0.0:" + port
                        + ": Address already in use"), output);
                assertFalse(output.contains("Started"), output);
                assertFalse(output.contains("listening on"), output);
            }
        }
    }
}
