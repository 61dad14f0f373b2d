package io.ssegateway.host.builtin;

import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageFactory;
import java.util.List;

/**
 * Keeps nothing: events go out without {@code id:} and there is no replay ({@code gateway.storage.type: noop}).
 * A client that still sends a {@code Last-Event-ID} gets a {@code gap} event, truthfully.
 */
public final class NoopStorage implements MessageStorage {

    @Override
    public String append(String channelId, SseEvent event) {
        return null;
    }

    @Override
    public Replay messagesAfter(String channelId, String lastEventId, int maxBytes) {
        return EARLIEST.equals(lastEventId) ? Replay.complete(List.of(), false) : Replay.gap(List.of(), false);
    }

    /** Never called with ids of its own (it issues none); equal strings are the same id, anything else unordered. */
    @Override
    public int compareIds(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        throw new IllegalArgumentException("the noop storage issues no stream ids: " + a + ", " + b);
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public String name() {
        return "noop";
    }

    /** {@code gateway.storage.type: noop}. */
    public static final class Factory implements StorageFactory {
        @Override
        public String name() {
            return "noop";
        }

        @Override
        public MessageStorage create(PluginConfig config) {
            return new NoopStorage();
        }
    }
}
