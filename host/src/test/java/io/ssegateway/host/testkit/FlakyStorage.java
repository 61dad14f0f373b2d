package io.ssegateway.host.testkit;

import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageException;
import java.util.concurrent.atomic.AtomicInteger;

/** A real storage that can be switched to fail, like a backend going down: for outage tests. */
public final class FlakyStorage implements MessageStorage {

    private final MessageStorage delegate;
    private volatile boolean down;
    private final AtomicInteger appendFailuresLeft = new AtomicInteger();

    public FlakyStorage(MessageStorage delegate) {
        this.delegate = delegate;
    }

    /** Every call fails (and {@link #isAvailable()} is false) until {@link #up()}. */
    public void down() {
        down = true;
    }

    public void up() {
        down = false;
    }

    /** The next {@code count} appends fail, then it works again. */
    public void failNextAppends(int count) {
        appendFailuresLeft.set(count);
    }

    @Override
    public String append(String channelId, SseEvent event) {
        if (down || appendFailuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new StorageException("storage is down");
        }
        return delegate.append(channelId, event);
    }

    @Override
    public Replay messagesAfter(String channelId, String lastEventId) {
        if (down) {
            throw new StorageException("storage is down");
        }
        return delegate.messagesAfter(channelId, lastEventId);
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
