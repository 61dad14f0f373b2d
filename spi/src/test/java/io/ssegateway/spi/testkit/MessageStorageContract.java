package io.ssegateway.spi.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MessageStorage} must do, including one that keeps nothing: answer sanely for any input without
 * throwing. Storages that keep history extend {@link HistoryStorageContract} instead, which adds the replay rules.
 * <pre>{@code
 * class MyStorageContractTest extends MessageStorageContract {
 *     protected MessageStorage createStorage() { return new MyStorage(...); }
 * }
 * }</pre>
 * Every test uses fresh channel names, so one backend may serve all of them.
 */
public abstract class MessageStorageContract {

    protected MessageStorage storage;

    /** A new, available storage. */
    protected abstract MessageStorage createStorage() throws Exception;

    @BeforeEach
    void createTheStorage() throws Exception {
        storage = createStorage();
    }

    @AfterEach
    void closeTheStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    protected static String freshChannel() {
        return "contract-" + UUID.randomUUID();
    }

    /** One page with a budget large enough for anything a test appends. */
    protected Replay replay(String channel, String lastEventId) {
        return storage.messagesAfter(channel, lastEventId, Integer.MAX_VALUE);
    }

    @Test
    void nameIsNotBlank() {
        assertNotNull(storage.name());
        assertFalse(storage.name().isBlank());
    }

    @Test
    void isAvailableWhenFresh() {
        assertTrue(storage.isAvailable());
    }

    @Test
    void appendAcceptsAnyValidEvent() {
        String channel = freshChannel();
        assertDoesNotThrow(() -> storage.append(channel, SseEvent.of("t", "")));
        assertDoesNotThrow(() -> storage.append(channel, SseEvent.of("custom.type", "a\nb 🚀").withMessageId("m-1")));
    }

    @Test
    void anyLastEventIdGetsAnAnswerNotAnException() {
        String channel = freshChannel();
        storage.append(channel, SseEvent.of("t", "x"));
        for (String lastEventId : new String[] {"garbage", "", "0-0", "99999999999999-0", "-1", "1-2-3", "🚀"}) {
            Replay replay = assertDoesNotThrow(() -> replay(channel, lastEventId), lastEventId);
            assertNotNull(replay, lastEventId);
        }
    }

    @Test
    void earliestOnAnUnknownChannelIsCompleteAndEmpty() {
        Replay replay = replay(freshChannel(), MessageStorage.EARLIEST);
        assertTrue(replay.complete());
        assertTrue(replay.events().isEmpty());
    }

    @Test
    void lastIdIsWhereAReplayOfWhatFollowsStarts() {
        String channel = freshChannel();
        assertNull(storage.lastId(channel), "a channel without history has no last id");
        storage.append(channel, SseEvent.of("t", "one"));
        String second = storage.append(channel, SseEvent.of("t", "two"));
        assertEquals(second, storage.lastId(channel));
        if (second == null) {
            return; // a storage that keeps nothing
        }
        Replay nothingYet = replay(channel, storage.lastId(channel));
        assertTrue(nothingYet.complete());
        assertTrue(nothingYet.events().isEmpty());
        String third = storage.append(channel, SseEvent.of("t", "three"));
        Replay after = replay(channel, second);
        assertTrue(after.complete());
        assertEquals(List.of(third), after.events().stream().map(SseEvent::streamId).toList());
        assertEquals(third, storage.lastId(channel));
    }
}
