package io.ssegateway.spi.testkit;

import io.ssegateway.spi.source.Delivery;
import io.ssegateway.spi.source.IfStorageFails;
import io.ssegateway.spi.source.IncomingMessage;
import io.ssegateway.spi.source.MessageHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link MessageHandler} for driving a source outside a gateway: it accepts and records every message, stores
 * nothing and reports no subscriber. Thread-safe.
 */
public class RecordingHandler implements MessageHandler {

    private final List<IncomingMessage> received = new CopyOnWriteArrayList<>();

    @Override
    public Delivery handle(IncomingMessage message, IfStorageFails ifStorageFails) {
        received.add(message);
        return new Delivery(message.streamId(), 0,
                message.streamId() != null ? Delivery.Outcome.STORED : Delivery.Outcome.NOT_STORED);
    }

    @Override
    public void validate(IncomingMessage message) {
    }

    /** Every message handled so far, in order. */
    public List<IncomingMessage> received() {
        return List.copyOf(received);
    }

    /**
     * Waits until at least {@code count} messages were handled.
     *
     * @return the messages handled so far (possibly fewer than {@code count} when the timeout passed)
     */
    public List<IncomingMessage> await(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        return received();
    }
}
