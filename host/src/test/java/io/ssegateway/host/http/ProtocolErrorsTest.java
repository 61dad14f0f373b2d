package io.ssegateway.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.admin.AdminService;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.LogCapture;
import io.ssegateway.host.testkit.RawHttp;
import io.ssegateway.host.testkit.TestGateways;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every malformed request gets a 4xx with a JSON body (or, for a body cut short, a clean close): never a 500, never a
 * hang, never a stack trace per request in the log. HEAD works where GET does.
 */
class ProtocolErrorsTest {

    private static final String SEND_HEAD = "POST /api/send HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
    private static Gateway gateway;

    @BeforeAll
    static void start() {
        gateway = TestGateways.builder().build().start();
    }

    @AfterAll
    static void stop() {
        gateway.stop();
    }

    private static RawHttp.Response exchange(String request) {
        return RawHttp.exchange(gateway.port(), request, false);
    }

    private static void assertJsonError(RawHttp.Response response, int status, String fragment) {
        assertEquals(status, response.status(), response.head() + "\n" + response.body());
        assertTrue(response.header("Content-Type").startsWith("application/json"), response.head());
        assertTrue(response.body().startsWith("{\"error\":") && response.body().contains(fragment), response.body());
    }

    @Test
    void badChunkSizesAreA400AtOnce() {
        try (LogCapture log = LogCapture.of(Gateway.class, Level.ALL); LogCapture admin = LogCapture.of(AdminService.class, Level.ALL)) {
            for (String size : new String[] {"zz", "ffffffffffffffff", "-1", ""}) {
                long start = System.nanoTime();
                RawHttp.Response response = exchange(SEND_HEAD + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\nab\r\n0\r\n\r\n");
                assertJsonError(response, 400, "");
                assertTrue(System.nanoTime() - start < 5_000_000_000L, "answered late");
            }
            assertTrue(log.records().stream().noneMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue()),
                    log.messages().toString());
            assertTrue(admin.records().stream().noneMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue()),
                    admin.messages().toString());
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthGetsA400OrACleanCloseAndNoStackTrace() {
        try (LogCapture log = LogCapture.of(Gateway.class, Level.ALL)) {
            RawHttp.Response response = RawHttp.exchange(gateway.port(),
                    SEND_HEAD + "Content-Length: 100\r\n\r\n{\"channel_id\":\"c\"", true);
            if (!response.closedWithoutAnswer()) {
                assertJsonError(response, 400, "Content-Length");
            }
            assertTrue(log.records().stream().noneMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue()),
                    log.messages().toString());
        }
        assertEquals(200, Http.get(gateway.port(), "/health").status());
    }

    @Test
    void anEmptyOrMalformedContentTypeIsA415() {
        String body = "{\"channel_id\":\"c\",\"event_type\":\"t\",\"data\":1}";
        for (String type : new String[] {"", ";", "/", "json"}) {
            RawHttp.Response response = exchange("POST /api/send HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + type
                    + "\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
            assertJsonError(response, 415, "application/json");
        }
    }

    @Test
    void helidonsOwnProtocolErrorsAreJson() {
        assertJsonError(exchange("GET /health HTTP/1.0\r\n\r\n"), 505, "");
        assertJsonError(exchange("GET /health HTTP/9.9\r\nHost: localhost\r\n\r\n"), 400, "");
        assertJsonError(exchange("GET /" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"), 414, "");
        assertJsonError(exchange("GET /health HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n"), 400, "");
        assertJsonError(exchange("GET /he%zzalth HTTP/1.1\r\nHost: localhost\r\n\r\n"), 400, "");
        assertJsonError(exchange("GET /sse/connect?channel_id=%zz HTTP/1.1\r\nHost: localhost\r\n\r\n"), 400, "");
        assertJsonError(exchange("garbage\r\n\r\n"), 400, "");
        assertJsonError(exchange("GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n"), 400, "");
        // an error message never carries markup through
        RawHttp.Response markup = exchange("GET /health HTTP/1.1\r\nHost: localhost:<b>1</b>\r\n\r\n");
        assertJsonError(markup, 400, "");
        assertFalse(markup.body().contains("<b>"), markup.body());
    }

    /** Reads a response's status line and headers, byte by byte. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    @Test
    void headWorksWhereGetDoes() throws IOException {
        for (String path : new String[] {"/health", "/ready", "/metrics", "/api/stats", "/dashboard"}) {
            RawHttp.Response get = exchange("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            RawHttp.Response head = RawHttp.exchange(gateway.port(),
                    "HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", false);
            assertEquals(get.status(), head.status(), path + ": " + head.head());
            assertEquals(get.header("Content-Type"), head.header("Content-Type"), path);
            assertTrue(Integer.parseInt(head.header("Content-Length")) > 0, path + ": " + head.head());
            assertEquals("", head.body(), path);
        }
        // a keep-alive connection goes on after a HEAD: no stray body bytes before the next answer
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("HEAD /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            out.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String next = readHead(in);
            assertTrue(next.startsWith("HTTP/1.1 200"), "stray bytes before the next answer: " + next);
            assertEquals("OK", new String(in.readNBytes(2), StandardCharsets.US_ASCII));
            // a HEAD that is a 404 or a 405 has no body either
            for (String path : new String[] {"/nowhere", "/sse/connect", "/api/send"}) {
                out.write(("HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String refused = readHead(in);
                assertTrue(refused.startsWith("HTTP/1.1 40"), path + ": " + refused);
            }
            out.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String last = readHead(in);
            assertTrue(last.startsWith("HTTP/1.1 200"), "stray bytes after a refused HEAD: " + last);
        }
    }
}
