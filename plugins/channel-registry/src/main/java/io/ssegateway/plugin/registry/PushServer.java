package io.ssegateway.plugin.registry;

import com.sun.net.httpserver.HttpHandler;
import io.ssegateway.kit.RateLimitedLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The push API's listener: a small HTTP/1.1 server of its own, one virtual thread per connection, handing each request
 * to the {@link HttpHandler} ({@link PushApi}) as an {@code HttpExchange}. It adds no dependency to the plugin zip and
 * no second web server next to the gateway's Helidon, and unlike the JDK's {@code HttpServer} it bounds what a client
 * can hold:
 * <ul>
 *   <li>at most {@code push-max-connections} connections: at the limit it stops accepting and new clients wait in the
 *       kernel's backlog, so that a flood of the push port cannot take the file descriptors the gateway's own listener
 *       needs;</li>
 *   <li>an accept that fails (out of file descriptors, {@code EMFILE}/{@code ENFILE}) is retried after a back-off
 *       (10 ms doubling to 1 s) instead of spinning or stopping;</li>
 *   <li>every phase of a request has a deadline ({@link PushConnection}), enforced by one sweeper thread.</li>
 * </ul>
 */
final class PushServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PushServer.class.getName());
    private static final int BACKLOG = 1024;
    private static final long MAX_BACKOFF_MILLIS = 1000;

    /** How many connections, and how long each phase of a request may take. */
    record Limits(int maxConnections, Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout) {
    }

    private final ServerSocketChannel channel;
    private final HttpHandler handler;
    private final Semaphore permits;
    private final PushConnection.Timeouts timeouts;
    private final Duration tick;
    private final Set<PushConnection> connections = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("push-api-", 0).inheritInheritableThreadLocals(false).factory());
    private final RateLimitedLog acceptLog = new RateLimitedLog(LOG, Duration.ofSeconds(10));
    private volatile boolean running = true;
    private Thread acceptor;
    private Thread sweeper;

    private PushServer(ServerSocketChannel channel, HttpHandler handler, Limits limits) {
        this.channel = channel;
        this.handler = handler;
        this.permits = new Semaphore(limits.maxConnections());
        this.timeouts = new PushConnection.Timeouts(limits.headerTimeout().toNanos(), limits.bodyTimeout().toNanos(),
                limits.idleTimeout().toNanos());
        Duration shortest = limits.headerTimeout();
        for (Duration timeout : new Duration[] {limits.bodyTimeout(), limits.idleTimeout()}) {
            shortest = timeout.compareTo(shortest) < 0 ? timeout : shortest;
        }
        Duration tenth = shortest.dividedBy(10);
        this.tick = tenth.toMillis() < 50 ? Duration.ofMillis(50) : tenth.toMillis() > 1000 ? Duration.ofSeconds(1) : tenth;
    }

    /**
     * Binds {@code host:port} (0 = any free port) and starts serving {@code handler} on every path.
     *
     * @throws IOException the port cannot be bound; the message names {@code portKey}
     */
    static PushServer start(String host, int port, HttpHandler handler, String portKey, Limits limits) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(host, port), BACKLOG);
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot listen on " + host + ":" + port + " for the push API (" + e.getMessage()
                    + "); free the port or choose another with " + portKey + " (PUSH_PORT)", e);
        }
        PushServer server = new PushServer(channel, handler, limits);
        server.acceptor = Thread.ofPlatform().daemon(true).name("push-api-acceptor").start(server::accept);
        server.sweeper = Thread.ofPlatform().daemon(true).name("push-api-timeouts").start(server::sweep);
        return server;
    }

    /** The bound port. */
    int port() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Connections open now. */
    int connectionCount() {
        return connections.size();
    }

    /** Stops accepting, lets running requests finish for up to a second, then closes every connection. */
    @Override
    public void close() {
        running = false;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "Push API: closing the listener failed", e);
        }
        acceptor.interrupt();
        sweeper.interrupt();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (connections.stream().anyMatch(connection -> connection.deadline() == PushConnection.NONE)
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        connections.forEach(PushConnection::close);
        executor.shutdownNow();
    }

    private void accept() {
        long backoffMillis = 10;
        while (running) {
            try {
                // a permit per connection, taken before accepting: at the limit, clients wait in the backlog
                permits.acquire();
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel accepted;
            try {
                accepted = channel.accept();
            } catch (ClosedChannelException stopped) {
                permits.release();
                return;
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable e) {
                permits.release();
                if (!running) {
                    return;
                }
                // EMFILE/ENFILE and the like pass: the listener must neither stop nor spin on them
                reportAcceptFailure(e, backoffMillis);
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
                continue;
            }
            backoffMillis = 10;
            serve(accepted);
        }
    }

    /** Logs a failed accept (at most every 10 s); when out of file descriptors, logging itself may fail. */
    private void reportAcceptFailure(Throwable failure, long backoffMillis) {
        try {
            acceptLog.warn("Push API: accepting a connection failed (" + failure.getMessage() + "); retrying in "
                    + backoffMillis + " ms");
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable loggingFailed) {
            // nothing to do but retry
        }
    }

    private void serve(SocketChannel accepted) {
        PushConnection connection = new PushConnection(accepted.socket(), handler, timeouts, ended -> {
            connections.remove(ended);
            permits.release();
        });
        connections.add(connection);
        try {
            executor.execute(connection);
        } catch (RuntimeException rejected) {
            // stopping
            connections.remove(connection);
            connection.close();
            permits.release();
        }
    }

    private void sweep() {
        while (running) {
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            int closed = 0;
            for (PushConnection connection : connections) {
                long deadline = connection.deadline();
                if (deadline != PushConnection.NONE && now - deadline >= 0 && connection.claimTimedOut(deadline) != null) {
                    connection.close();
                    closed++;
                }
            }
            if (closed > 0 && LOG.isLoggable(Level.FINE)) {
                LOG.fine("Push API: closed " + closed + " connections that exceeded a request or idle timeout");
            }
        }
    }
}
