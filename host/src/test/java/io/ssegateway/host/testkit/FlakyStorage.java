package io.ssegateway.host.testkit;

import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageException;
import io.ssegateway.spi.storage.StorageTimeoutException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A real storage that can be switched to fail, like a backend going down: for outage tests. */
public final class FlakyStorage implements MessageStorage {

    private final MessageStorage delegate;
    private volatile boolean down;
    private volatile boolean timingOut;
    private final AtomicInteger appendFailuresLeft = new AtomicInteger();
    private final Map<String, AtomicInteger> attemptsByMessageId = new ConcurrentHashMap<>();

    public FlakyStorage(MessageStorage delegate) {
        this.delegate = delegate;
    }

    /** Every call fails (and {@link #isAvailable()} is false) until {@link #up()}. */
    public void down() {
        down = true;
    }

    public void up() {
        down = false;
        timingOut = false;
    }

    /** Appends time out (the outcome is unknown to the caller) until {@link #up()}; they are stored all the same. */
    public void timeOut() {
        timingOut = true;
    }

    /** The next {@code count} appends fail, then it works again. */
    public void failNextAppends(int count) {
        appendFailuresLeft.set(count);
    }

    /** How often {@code append} was called for this business id, failed calls included. */
    public int attempts(String messageId) {
        AtomicInteger attempts = attemptsByMessageId.get(messageId);
        return attempts == null ? 0 : attempts.get();
    }

    @Override
    public String append(String channelId, SseEvent event) {
        if (event.messageId() != null) {
            attemptsByMessageId.computeIfAbsent(event.messageId(), id -> new AtomicInteger()).incrementAndGet();
        }
        if (down || appendFailuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new StorageException("storage is down");
        }
        String id = delegate.append(channelId, event);
        if (timingOut) {
            throw new StorageTimeoutException("no answer within the timeout", null);
        }
        return id;
    }

    @Override
    public Replay messagesAfter(String channelId, String lastEventId, int maxBytes) {
        if (down) {
            throw new StorageException("storage is down");
        }
        return delegate.messagesAfter(channelId, lastEventId, maxBytes);
    }

    @Override
    public int compareIds(String a, String b) {
        return delegate.compareIds(a, b);
    }

    @Override
    public boolean isAvailable() {
        return !down && delegate.isAvailable();
    }

    @Override
    public String name() {
        return "flaky-" + delegate.name();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
