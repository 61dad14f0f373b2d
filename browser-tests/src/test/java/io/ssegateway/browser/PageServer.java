package io.ssegateway.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Serves the test pages ({@code src/test/resources/pages}) on its own port with the JDK's HTTP server, so that
 * they reach the gateway cross-origin like a real site would, and stay up while a gateway restarts.
 */
final class PageServer implements AutoCloseable {

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8");

    private final HttpServer server;

    PageServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::serve);
        server.start();
    }

    /** The URL of a page, e.g. {@code url("eventsource.html?channel=a")}. */
    String url(String pathAndQuery) {
        return url("127.0.0.1", pathAndQuery);
    }

    /** The URL of a page on {@code host} (an origin of its own: {@code localhost} and {@code 127.0.0.1} differ). */
    String url(String host, String pathAndQuery) {
        return "http://" + host + ":" + server.getAddress().getPort() + "/" + pathAndQuery;
    }

    /** The page's origin on {@code host}. */
    String origin(String host) {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String name = exchange.getRequestURI().getPath().substring(1);
            String extension = name.substring(name.lastIndexOf('.') + 1);
            InputStream page = name.matches("[a-z-]+\\.(html|js)") ? PageServer.class.getResourceAsStream("/pages/" + name) : null;
            if (page == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body;
            try (page) {
                body = page.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Type", TYPES.get(extension));
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
