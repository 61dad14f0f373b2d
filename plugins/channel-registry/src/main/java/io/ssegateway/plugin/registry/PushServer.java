package io.ssegateway.plugin.registry;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The push API's listener: the JDK's own HTTP server ({@code jdk.httpserver}), one virtual thread per exchange. It adds
 * no dependency to the plugin zip and no second web server next to the gateway's Helidon, and its blocking handler
 * model fits calls into the gateway that wait for the storage.
 */
final class PushServer implements AutoCloseable {

    private static final int BACKLOG = 1024;

    private final HttpServer server;
    private final ExecutorService executor;

    private PushServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} (0 = any free port) and starts serving {@code handler} on every path.
     *
     * @throws IOException the port cannot be bound; the message names {@code portKey}
     */
    static PushServer start(String host, int port, HttpHandler handler, String portKey) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), BACKLOG);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + host + ":" + port + " for the push API (" + e.getMessage()
                    + "); free the port or choose another with " + portKey + " (PUSH_PORT)", e);
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("push-api-", 0).factory());
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
        return new PushServer(server, executor);
    }

    /** The bound port. */
    int port() {
        return server.getAddress().getPort();
    }

    /** Stops accepting, lets running exchanges finish for up to a second, then closes every connection. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
