package io.ssegateway.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A selector thread holding many SSE connections: paced non-blocking connects (bound to several 127.0.0.x source
 * addresses so that more than one address's ~28k ephemeral ports are available), one shared read buffer, and every
 * event parsed on this thread. Other threads talk to it through {@link #call}.
 */
final class ConnectionLoop implements Runnable {

    private final Selector selector;
    private final InetSocketAddress target;
    private final String hostHeader;
    /** The subscribe request's path and query, with {@code {channel}}. */
    private final String pathTemplate;
    private final List<InetAddress> sourceAddresses;
    private final int maxConnecting;
    private final int receiveBuffer;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final LoopStats stats = new LoopStats();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final ArrayDeque<Pending> toConnect = new ArrayDeque<>();
    private int connecting;
    private volatile boolean running = true;
    private final Thread thread;

    /** A connect that waits its turn, and the latch of the command that asked for it. */
    private record Pending(Subscription subscription, String lastEventId, CountDownLatch done, AtomicInteger failures) {
    }

    ConnectionLoop(String name, InetSocketAddress target, String pathTemplate, List<InetAddress> sourceAddresses,
                   int maxConnecting, int receiveBuffer) throws IOException {
        this.selector = Selector.open();
        this.target = target;
        this.hostHeader = target.getHostString() + ":" + target.getPort();
        this.pathTemplate = pathTemplate;
        this.sourceAddresses = sourceAddresses;
        this.maxConnecting = maxConnecting;
        this.receiveBuffer = receiveBuffer;
        this.thread = Thread.ofPlatform().name(name).daemon(true).start(this);
    }

    /** Runs {@code action} on the loop thread and returns its result. */
    <T> CompletableFuture<T> call(Function<ConnectionLoop, T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(action.apply(this));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        selector.wakeup();
        return result;
    }

    LoopStats stats() {
        return stats;
    }

    List<Subscription> subscriptions() {
        return subscriptions;
    }

    /** Adds subscriptions and connects them; {@code done} counts down once per subscription, opened or failed. */
    void open(List<Subscription> added, CountDownLatch done, AtomicInteger failures) {
        for (Subscription subscription : added) {
            subscriptions.add(subscription);
            toConnect.add(new Pending(subscription, null, done, failures));
        }
        startConnects();
    }

    /** Closes every connection and opens it again with its last event id (the replay hand-over). */
    void reconnectAll(CountDownLatch done, AtomicInteger failures) {
        for (Subscription subscription : subscriptions) {
            if (subscription.connection != null) {
                subscription.connection.close();
                subscription.connection = null;
            }
            subscription.parser.reset();
            toConnect.add(new Pending(subscription, subscription.parser.lastEventId(), done, failures));
        }
        startConnects();
    }

    /** Closes every connection (the subscriptions and what they received stay). */
    void closeAll() {
        for (Subscription subscription : subscriptions) {
            if (subscription.connection != null) {
                subscription.connection.close();
                subscription.connection = null;
            }
            subscription.parser.reset();
        }
    }

    /** Stops reading on every subscription whose index is a multiple of {@code every}; returns how many. */
    int pause(int every) {
        int paused = 0;
        for (Subscription subscription : subscriptions) {
            if (subscription.index % every == 0) {
                subscription.paused = true;
                if (subscription.connection != null && subscription.connection.key != null) {
                    subscription.connection.key.interestOps(0);
                }
                paused++;
            }
        }
        return paused;
    }

    int openConnections() {
        int open = 0;
        for (Subscription subscription : subscriptions) {
            if (subscription.connection != null && subscription.connection.streaming()) {
                open++;
            }
        }
        return open;
    }

    long distinct() {
        long total = 0;
        for (Subscription subscription : subscriptions) {
            total += subscription.distinct();
        }
        return total;
    }

    void shutdown() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select(1000);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            System.err.println("connection loop failed: " + e);
        } finally {
            for (Subscription subscription : subscriptions) {
                if (subscription.connection != null) {
                    subscription.connection.close();
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // exiting
            }
        }
    }

    private void startConnects() {
        while (connecting < maxConnecting && !toConnect.isEmpty()) {
            Pending pending = toConnect.poll();
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                int buffer = pending.subscription.receiveBuffer > 0 ? pending.subscription.receiveBuffer : receiveBuffer;
                if (buffer > 0) {
                    channel.setOption(StandardSocketOptions.SO_RCVBUF, buffer);
                }
                if (!sourceAddresses.isEmpty()) {
                    channel.bind(new InetSocketAddress(
                            sourceAddresses.get(pending.subscription.index % sourceAddresses.size()), 0));
                }
                SseConnection connection = new SseConnection(pending.subscription, channel, hostHeader, pathTemplate,
                        pending.lastEventId);
                connection.key = channel.register(selector, 0, new Attempt(connection, pending));
                pending.subscription.connection = connection;
                connecting++;
                if (channel.connect(target)) {
                    connected(connection.key);
                } else {
                    connection.key.interestOps(SelectionKey.OP_CONNECT);
                }
            } catch (IOException e) {
                closeQuietly(channel);
                stats.connectFailures++;
                pending.failures.incrementAndGet();
                pending.done.countDown();
                if (stats.connectFailures <= 3) {
                    System.err.println("connect failed: " + e);
                }
            }
        }
    }

    /** A connection and the command waiting for it to open. */
    private static final class Attempt {
        final SseConnection connection;
        Pending pending;

        Attempt(SseConnection connection, Pending pending) {
            this.connection = connection;
            this.pending = pending;
        }
    }

    private void handle(SelectionKey key) {
        Attempt attempt = (Attempt) key.attachment();
        SseConnection connection = attempt.connection;
        try {
            if (key.isConnectable()) {
                connection.channel.finishConnect();
                connected(key);
                return;
            }
            if (key.isWritable()) {
                if (connection.writeRequest()) {
                    key.interestOps(connection.subscription.paused ? 0 : SelectionKey.OP_READ);
                }
                return;
            }
            if (key.isReadable()) {
                read(key, attempt);
            }
        } catch (IOException | RuntimeException e) {
            fail(attempt, e.toString());
        }
    }

    private void connected(SelectionKey key) throws IOException {
        Attempt attempt = (Attempt) key.attachment();
        key.interestOps(attempt.connection.writeRequest() ? SelectionKey.OP_READ : SelectionKey.OP_WRITE);
    }

    private void read(SelectionKey key, Attempt attempt) throws IOException {
        SseConnection connection = attempt.connection;
        readBuffer.clear();
        int n = connection.channel.read(readBuffer);
        if (n < 0) {
            if (attempt.pending != null) {
                fail(attempt, "closed before the response head");
            } else {
                stats.closedByServer++;
                key.cancel();
                connection.close();
                if (connection.subscription.connection == connection) {
                    connection.subscription.connection = null;
                }
            }
            return;
        }
        connection.subscription.readNanos = System.nanoTime();
        boolean opened = connection.consume(readBuffer.array(), 0, n);
        if (connection.failure != null) {
            stats.rejected++;
            fail(attempt, connection.failure);
            return;
        }
        if (opened) {
            finished(attempt);
            if (connection.subscription.paused) {
                key.interestOps(0);
            }
        }
    }

    private void fail(Attempt attempt, String why) {
        SseConnection connection = attempt.connection;
        connection.key.cancel();
        connection.close();
        if (connection.subscription.connection == connection) {
            connection.subscription.connection = null;
        }
        if (attempt.pending != null) {
            if (connection.failure == null) {
                stats.connectFailures++;
            }
            attempt.pending.failures.incrementAndGet();
            if (stats.rejected + stats.connectFailures <= 3) {
                System.err.println("subscription " + connection.subscription.channel + " failed: " + why);
            }
            finished(attempt);
        } else {
            stats.protocolErrors++;
            if (stats.protocolErrors <= 3) {
                System.err.println("stream of " + connection.subscription.channel + " failed: " + why);
            }
        }
    }

    private void finished(Attempt attempt) {
        attempt.pending.done.countDown();
        attempt.pending = null;
        connecting--;
        startConnects();
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }
}
