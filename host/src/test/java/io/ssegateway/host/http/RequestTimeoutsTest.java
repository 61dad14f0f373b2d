package io.ssegateway.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every phase of a request has a deadline (header, body, idle), enforced over real sockets; SSE streams have none.
 */
class RequestTimeoutsTest {

    private static final Duration HEADER = Duration.ofMillis(600);
    private static final Duration BODY = Duration.ofMillis(900);
    private static final Duration IDLE = Duration.ofMillis(1200);
    /** How late a close may come: the sweep's tick plus a loaded machine. */
    private static final Duration SLACK = Duration.ofSeconds(3);
    private static Gateway gateway;

    @BeforeAll
    static void start() {
        gateway = TestGateways.builder().requestHeaderTimeout(HEADER).requestBodyTimeout(BODY).idleTimeout(IDLE)
                .build().start();
    }

    @AfterAll
    static void stop() {
        gateway.stop();
    }

    private static Socket open() throws IOException {
        Socket socket = new Socket("127.0.0.1", gateway.port());
        socket.setSoTimeout((int) (IDLE.plus(SLACK).toMillis() * 3));
        return socket;
    }

    /** Reads until the server closes the connection; returns after how long, from {@code since}. */
    private static Duration awaitServerClose(Socket socket, long since) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // a response (or nothing): read on until the end
            }
        } catch (SocketException reset) {
            // closed with a reset: closed all the same
        }
        return Duration.ofNanos(System.nanoTime() - since);
    }

    private static void assertClosedWithin(Duration took, Duration timeout) {
        assertTrue(took.compareTo(timeout.minusMillis(50)) >= 0, "closed too early: " + took.toMillis() + " ms");
        assertTrue(took.compareTo(timeout.plus(SLACK)) <= 0, "closed too late: " + took.toMillis() + " ms");
    }

    private static long timedOut(String phase) {
        return gateway.metrics().connectionsTimedOut().getOrDefault(phase, 0L);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
        long before = timedOut("header");
        try (Socket socket = open()) {
            assertClosedWithin(awaitServerClose(socket, System.nanoTime()), HEADER);
        }
        assertTrue(timedOut("header") > before, "not counted as a header timeout");
    }

    @Test
    void headersDribbledOneByteAtATimeAreCutOffAtTheHeaderTimeout() throws Exception {
        long before = timedOut("header");
        try (Socket socket = open()) {
            long start = System.nanoTime();
            OutputStream out = socket.getOutputStream();
            byte[] request = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghijklmnopqrstuvwxyz\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            Thread dribbler = Thread.ofVirtual().start(() -> {
                try {
                    for (byte b : request) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException closedByServer) {
                    // expected: the server gave up on us
                }
            });
            Duration took = awaitServerClose(socket, start);
            dribbler.join(TimeUnit.SECONDS.toMillis(30));
            assertClosedWithin(took, HEADER);
        }
        assertTrue(timedOut("header") > before, "not counted as a header timeout");
    }

    @Test
    void aBodyThatNeverCompletesIsCutOffAtTheBodyTimeout() throws Exception {
        long before = timedOut("body");
        try (Socket socket = open()) {
            // Host: localhost, or the admin guard (no token: loopback hosts only) refuses before the body is read
            socket.getOutputStream().write(("POST /api/send HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"channel_id\":").getBytes(StandardCharsets.US_ASCII));
            assertClosedWithin(awaitServerClose(socket, System.nanoTime()), BODY);
        }
        assertTrue(timedOut("body") > before, "not counted as a body timeout");
    }

    @Test
    void anIdleKeepAliveConnectionServesRequestsUntilItIdlesPastTheIdleTimeout() throws Exception {
        long before = timedOut("idle");
        try (Socket socket = open()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 2; i++) {
                out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String response = readResponse(in);
                assertTrue(response.startsWith("HTTP/1.1 200") && response.endsWith("OK"), response);
                // a pause shorter than the idle timeout keeps the connection
                Thread.sleep(IDLE.toMillis() / 3);
            }
            long answered = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(IDLE.toMillis() / 3);
            assertClosedWithin(awaitServerClose(socket, answered), IDLE);
        }
        assertTrue(timedOut("idle") > before, "not counted as a idle timeout");
    }

    @Test
    void anSseStreamOutlivesEveryTimeoutAndStillDelivers() throws Exception {
        try (SseClient client = SseClient.subscribe(gateway.port(), "long-lived")) {
            assertEquals(200, client.status());
            Thread.sleep(IDLE.plus(BODY).plus(HEADER).plus(Duration.ofSeconds(1)).toMillis());
            assertFalse(client.ended(), "a timeout cut the stream");
            Http.publish(gateway.port(), "long-lived", "late", "still here");
            assertEquals("still here", client.awaitMessages(1, Duration.ofSeconds(10)).getFirst().data());
        }
    }

    @Test
    void theDashboardStreamIsNotCutByTheIdleTimeout() throws Exception {
        try (SseClient client = SseClient.connect(gateway.port(), "/api/dashboard/events", SseClient.options())) {
            assertEquals(200, client.status());
            Thread.sleep(IDLE.plus(Duration.ofSeconds(1)).toMillis());
            int seen = client.events().size();
            SseClient.awaitCondition(() -> client.events().size() > seen, Duration.ofSeconds(10),
                    () -> "no snapshot after the idle timeout");
            assertFalse(client.ended(), "the idle timeout cut the dashboard stream");
        }
    }

    /** One response with a Content-Length body (what /health sends). */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed mid-response: " + head);
            }
            head.append((char) b);
        }
        int length = head.toString().lines().filter(line -> line.toLowerCase().startsWith("content-length:"))
                .mapToInt(line -> Integer.parseInt(line.substring(15).trim())).findFirst().orElse(0);
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
