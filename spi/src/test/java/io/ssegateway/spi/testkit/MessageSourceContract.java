package io.ssegateway.spi.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.spi.CancellationSignal;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageSource;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MessageSource} must show: it delivers what its publishers send to the handler, and
 * it returns promptly when cancelled. Extend it:
 * <pre>{@code
 * class MySourceContractTest extends MessageSourceContract {
 *     protected MessageSource createSource() { return new MySource(...); }
 *     protected void publishExternally(String channelId, String eventType, String data) { ...publish through the broker... }
 * }
 * }</pre>
 */
public abstract class MessageSourceContract {

    /** How long a source may take to return from {@code start} after cancellation. */
    protected Duration stopWithin() {
        return Duration.ofSeconds(5);
    }

    /** A new source, not started. */
    protected abstract MessageSource createSource() throws Exception;

    /** Publishes one message for {@code channelId} the way this source's users do (through its broker or API). */
    protected abstract void publishExternally(String channelId, String eventType, String data) throws Exception;

    /** Waits until a started source is ready to receive (subscribed); default: until it reports itself available. */
    protected void awaitReady(MessageSource source, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!source.isAvailable()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("source " + source.name() + " did not become available within " + timeout);
            }
            Thread.sleep(10);
        }
    }

    private final RecordingHandler handler = new RecordingHandler();
    private final CancellationSignal token = new CancellationSignal();
    private MessageSource source;
    private Thread runner;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @BeforeEach
    void startTheSource() throws Exception {
        source = createSource();
        runner = Thread.ofVirtual().start(() -> {
            try {
                source.start(handler, new NoConnections("contract-test"), token);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        awaitReady(source, Duration.ofSeconds(10));
    }

    @AfterEach
    void stopTheSource() throws InterruptedException {
        token.cancel();
        runner.join(stopWithin().plusSeconds(1));
    }

    @Test
    void nameIsNotBlank() {
        assertFalse(source.name().isBlank());
    }

    @Test
    void deliversPublishedMessagesToTheHandler() throws Exception {
        publishExternally("contract-channel", "contract.event", "payload-1");
        List<IncomingMessage> received = handler.await(1, Duration.ofSeconds(10));
        assertEquals(1, received.size(), "exactly one message expected, got " + received);
        IncomingMessage message = received.get(0);
        assertEquals("contract-channel", message.channelId());
        assertEquals("contract.event", message.eventType());
        assertEquals("payload-1", message.data());
    }

    @Test
    void returnsPromptlyWhenCancelled() throws InterruptedException {
        assertTrue(runner.isAlive(), "start() must block until cancelled, failure: " + failure.get());
        token.cancel();
        runner.join(stopWithin());
        assertFalse(runner.isAlive(), "start() did not return within " + stopWithin() + " of cancellation");
    }

    /** A {@link ConnectionView} with no connections, for driving a source outside a gateway. */
    public static final class NoConnections implements ConnectionView {
        private final String instanceId;

        public NoConnections(String instanceId) {
            this.instanceId = instanceId;
        }

        @Override
        public int connectionCount() {
            return 0;
        }

        @Override
        public int channelConnectionCount(String channelId) {
            return 0;
        }

        @Override
        public Set<String> channels() {
            return Set.of();
        }

        @Override
        public String instanceId() {
            return instanceId;
        }
    }
}
