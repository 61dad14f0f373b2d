package io.ssegateway.plugin.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ssegateway.host.testkit.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The push port's own HTTP/1.1 server over real sockets: keep-alive, chunked bodies, {@code 100-continue}; a deadline
 * for every phase of a request; at its connection limit, clients wait and are served once a connection ends.
 */
class PushServerTest {

    private static final Duration HEADER = Duration.ofMillis(600);
    private static final Duration BODY = Duration.ofMillis(900);
    private static final Duration IDLE = Duration.ofMillis(1200);
    private static final Duration SLACK = Duration.ofSeconds(3);

    /** Answers {@code <method> <path> <body>} as text. */
    private static final HttpHandler ECHO = exchange -> {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            byte[] reply = (exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " "
                    + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply);
            }
        }
    };

    private PushServer server;

    private PushServer start(int maxConnections) throws IOException {
        server = PushServer.start("127.0.0.1", 0, ECHO, "push-port",
                new PushServer.Limits(maxConnections, HEADER, BODY, IDLE));
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Socket open() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        socket.setSoTimeout((int) IDLE.plus(SLACK).multipliedBy(3).toMillis());
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** One response: status line, headers, a Content-Length body. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after: " + head);
            }
            head.append((char) b);
        }
        int length = head.toString().lines().filter(line -> line.toLowerCase().startsWith("content-length:"))
                .mapToInt(line -> Integer.parseInt(line.substring(15).trim())).findFirst().orElse(0);
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static Duration awaitClose(Socket socket, long since) throws IOException {
        try {
            while (socket.getInputStream().read() >= 0) {
                // read on until the end
            }
        } catch (SocketException reset) {
            // closed with a reset
        }
        return Duration.ofNanos(System.nanoTime() - since);
    }

    private static void assertClosedAfter(Duration took, Duration timeout) {
        assertTrue(took.compareTo(timeout.minusMillis(50)) >= 0, "closed too early: " + took.toMillis() + " ms");
        assertTrue(took.compareTo(timeout.plus(SLACK)) <= 0, "closed too late: " + took.toMillis() + " ms");
    }

    @Test
    void keepAliveRequestsWithFixedAndChunkedBodiesAndAContinueAreServedInTurn() throws Exception {
        start(8);
        try (Socket socket = open()) {
            InputStream in = socket.getInputStream();
            send(socket, "GET /instances HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(readResponse(in).endsWith("GET /instances "));
            send(socket, "POST /push HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            assertTrue(readResponse(in).endsWith("POST /push hello"));
            send(socket, "POST /store HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n");
            assertTrue(readResponse(in).endsWith("POST /store abcdefg"));
            send(socket, "POST /push HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
            String interim = new String(in.readNBytes(25), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", interim);
            send(socket, "ok");
            String last = readResponse(in);
            assertTrue(last.startsWith("HTTP/1.1 200 OK\r\n") && last.endsWith("POST /push ok"), last);
        }
    }

    @Test
    void aMalformedRequestIsAnswered400AndTheConnectionClosed() throws Exception {
        start(8);
        try (Socket socket = open()) {
            send(socket, "NONSENSE\r\n\r\n");
            String response = readResponse(socket.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 400 ") && response.contains("Connection: close"), response);
            assertTrue(awaitClose(socket, System.nanoTime()).compareTo(SLACK) < 0);
        }
    }

    @Test
    void aSilentConnectionAndDribbledHeadersAreCutAtTheHeaderTimeout() throws Exception {
        start(8);
        try (Socket silent = open()) {
            assertClosedAfter(awaitClose(silent, System.nanoTime()), HEADER);
        }
        try (Socket slow = open()) {
            long start = System.nanoTime();
            Thread dribbler = Thread.ofVirtual().start(() -> {
                try {
                    for (char c : "GET /instances HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghijklmnop\r\n\r\n".toCharArray()) {
                        send(slow, String.valueOf(c));
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException cutOff) {
                    // expected
                }
            });
            Duration took = awaitClose(slow, start);
            dribbler.join(30_000);
            assertClosedAfter(took, HEADER);
        }
    }

    @Test
    void aBodyThatNeverCompletesIsCutAtTheBodyTimeoutAndAnIdleConnectionAtTheIdleTimeout() throws Exception {
        start(8);
        try (Socket socket = open()) {
            send(socket, "POST /push HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
            assertClosedAfter(awaitClose(socket, System.nanoTime()), BODY);
        }
        try (Socket socket = open()) {
            send(socket, "GET /instances HTTP/1.1\r\nHost: x\r\n\r\n");
            readResponse(socket.getInputStream());
            assertClosedAfter(awaitClose(socket, System.nanoTime()), IDLE);
        }
    }

    @Test
    void atItsConnectionLimitClientsWaitAndAreServedOnceAConnectionEnds() throws Exception {
        start(3);
        List<Socket> holders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket holder = open();
            send(holder, "GET /instances HTTP/1.1\r\nHost: x\r\n\r\n");
            readResponse(holder.getInputStream());
            holders.add(holder);
        }
        SseClient.awaitCondition(() -> server.connectionCount() == 3, SLACK, () -> "held: " + server.connectionCount());
        try (Socket waiting = open()) {
            send(waiting, "GET /instances HTTP/1.1\r\nHost: x\r\n\r\n");
            // not accepted while three connections are held: it waits in the backlog, unanswered
            waiting.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> waiting.getInputStream().read());
            waiting.setSoTimeout((int) SLACK.toMillis());
            long start = System.nanoTime();
            holders.getFirst().close();
            String response = readResponse(waiting.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(SLACK) < 0);
            assertTrue(server.connectionCount() <= 3, "over the limit: " + server.connectionCount());
        } finally {
            for (Socket holder : holders) {
                holder.close();
            }
        }
    }
}
