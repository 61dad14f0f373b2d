package io.ssegateway.plugin.gcp;

import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link MemoryStorage} whose first {@code failures} appends throw {@link StorageException}, as an outage would. */
final class FlakyStorage implements MessageStorage {

    private final MemoryStorage delegate = new MemoryStorage();
    private final AtomicInteger failuresLeft;
    private final Map<String, AtomicInteger> attemptsByMessageId = new ConcurrentHashMap<>();

    FlakyStorage(int failures) {
        this.failuresLeft = new AtomicInteger(failures);
    }

    /** How often {@code append} was called for this business id, failed calls included. */
    int attempts(String messageId) {
        AtomicInteger attempts = attemptsByMessageId.get(messageId);
        return attempts == null ? 0 : attempts.get();
    }

    @Override
    public String append(String channelId, SseEvent event) {
        if (event.messageId() != null) {
            attemptsByMessageId.computeIfAbsent(event.messageId(), id -> new AtomicInteger()).incrementAndGet();
        }
        if (failuresLeft.getAndDecrement() > 0) {
            throw new StorageException("simulated storage outage");
        }
        return delegate.append(channelId, event);
    }

    @Override
    public Replay messagesAfter(String channelId, String lastEventId) {
        return delegate.messagesAfter(channelId, lastEventId);
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public String name() {
        return "flaky-memory";
    }

    @Override
    public void close() {
        delegate.close();
    }
}
