package io.ssegateway.host.builtin;

import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-process source for embedders: a bounded queue and a {@link Sender} handle that application code publishes
 * through (the original's {@code ChannelSource::new()}).
 * <pre>{@code
 * ChannelSource source = new ChannelSource();
 * ChannelSource.Sender sender = source.sender();
 * Gateway gateway = Gateway.builder().source(source).storage(new MemoryStorage()).build().start();
 * sender.send(IncomingMessage.toChannel("user-1", "notification", "{\"n\":1}"));
 * }</pre>
 * Messages sent before the gateway starts wait in the queue. An invalid message is dropped (the gateway logs and
 * counts it); one the storage fails to append is still delivered to whoever is online (counted as not stored),
 * since it cannot be sent again.
 */
public final class ChannelSource implements MessageSource {

    /** Default queue capacity. */
    public static final int DEFAULT_CAPACITY = 1024;
    private static final Duration CANCEL_CHECK = Duration.ofMillis(200);

    private final BlockingQueue<IncomingMessage> queue;
    private final Sender sender;

    public ChannelSource() {
        this(DEFAULT_CAPACITY);
    }

    public ChannelSource(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sender = new Sender(queue);
    }

    /** The handle to publish with; thread-safe, may be shared. */
    public Sender sender() {
        return sender;
    }

    @Override
    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel)
            throws InterruptedException {
        while (!cancel.isCancelled()) {
            // a short poll rather than an interrupt to notice cancellation: an interrupt could hit a storage call
            IncomingMessage message = queue.poll(CANCEL_CHECK.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                continue;
            }
            try {
                // the queue is gone once taken: if the storage fails, whoever is online still gets the message
                handler.handle(message, IfStorageFails.DELIVER_UNSTORED);
            } catch (IllegalArgumentException invalid) {
                // already logged and counted by the gateway
            }
        }
    }

    @Override
    public String name() {
        return "channel";
    }

    /** Publishes into a {@link ChannelSource}. */
    public static final class Sender {

        private final BlockingQueue<IncomingMessage> queue;

        private Sender(BlockingQueue<IncomingMessage> queue) {
            this.queue = queue;
        }

        /** Queues a message, waiting while the queue is full. */
        public void send(IncomingMessage message) throws InterruptedException {
            queue.put(Objects.requireNonNull(message, "message"));
        }

        /** Queues a message, waiting at most {@code timeout}; {@code false} if the queue stayed full. */
        public boolean send(IncomingMessage message, Duration timeout) throws InterruptedException {
            return queue.offer(Objects.requireNonNull(message, "message"), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** Queues a message if there is room now; {@code false} if the queue is full. */
        public boolean trySend(IncomingMessage message) {
            return queue.offer(Objects.requireNonNull(message, "message"));
        }
    }
}
