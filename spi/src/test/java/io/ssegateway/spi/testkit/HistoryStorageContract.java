package io.ssegateway.spi.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MessageStorage} that keeps history must show, on top of {@link MessageStorageContract}.
 * Extend it in your storage's tests:
 * <pre>{@code
 * class MyStorageContractTest extends HistoryStorageContract {
 *     protected MessageStorage createStorage() { return new MyStorage(...); }
 * }
 * }</pre>
 * The storage must retain at least 50 events per channel for these tests. Every test uses fresh channel names, so
 * one storage may serve all of them.
 */
public abstract class HistoryStorageContract extends MessageStorageContract {

    private static SseEvent event(String data) {
        return SseEvent.of("test", data);
    }

    @Test
    void appendReturnsDistinctIdsAndReplayKeepsOrder() {
        String channel = freshChannel();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(storage.append(channel, event("m" + i)));
        }
        assertEquals(20, new HashSet<>(ids).size(), "ids must be distinct: " + ids);
        Replay all = storage.messagesAfter(channel, MessageStorage.EARLIEST);
        assertTrue(all.complete());
        assertEquals(ids, all.events().stream().map(SseEvent::id).toList());
        for (int i = 0; i < 20; i++) {
            assertEquals("m" + i, all.events().get(i).data());
            assertEquals("test", all.events().get(i).eventType());
        }
    }

    @Test
    void messagesAfterAnIdAreExactlyTheLaterOnes() {
        String channel = freshChannel();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(storage.append(channel, event("m" + i)));
        }
        Replay after = storage.messagesAfter(channel, ids.get(3));
        assertTrue(after.complete(), "an id that is retained must give a complete replay");
        assertEquals(ids.subList(4, 10), after.events().stream().map(SseEvent::id).toList());
        Replay afterLast = storage.messagesAfter(channel, ids.get(9));
        assertTrue(afterLast.complete());
        assertTrue(afterLast.events().isEmpty());
    }

    @Test
    void unknownIdGivesAGapWithEverythingRetained() {
        String channel = freshChannel();
        String first = storage.append(channel, event("a"));
        storage.append(channel, event("b"));
        Replay replay = storage.messagesAfter(channel, "not-an-id-this-storage-issued");
        assertFalse(replay.complete());
        assertEquals(2, replay.events().size());
        assertEquals(first, replay.earliestId());
    }

    @Test
    void unknownChannelHasNoHistory() {
        Replay earliest = storage.messagesAfter(freshChannel(), MessageStorage.EARLIEST);
        assertTrue(earliest.events().isEmpty());
        assertTrue(earliest.complete());
    }

    @Test
    void channelsAreIsolated() {
        String a = freshChannel();
        String b = freshChannel();
        storage.append(a, event("for a"));
        storage.append(b, event("for b"));
        List<SseEvent> onA = storage.messagesAfter(a, MessageStorage.EARLIEST).events();
        assertEquals(1, onA.size());
        assertEquals("for a", onA.get(0).data());
    }

    @Test
    void appendIsIdempotentOnTheBusinessId() {
        String channel = freshChannel();
        String first = storage.append(channel, event("once").withMessageId("business-1"));
        String again = storage.append(channel, event("once").withMessageId("business-1"));
        String other = storage.append(channel, event("other").withMessageId("business-2"));
        assertEquals(first, again, "the same business id must return the same stream id");
        assertNotEquals(first, other);
        assertEquals(2, storage.messagesAfter(channel, MessageStorage.EARLIEST).events().size());
        assertEquals("business-1", storage.messagesAfter(channel, MessageStorage.EARLIEST).events().get(0).messageId());
    }

    @Test
    void concurrentAppendsToDifferentChannelsLoseNothing() throws Exception {
        List<String> channels = List.of(freshChannel(), freshChannel(), freshChannel(), freshChannel());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (String channel : channels) {
                results.add(pool.submit(() -> {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        ids.add(storage.append(channel, event(channel + "-" + i)));
                    }
                    return ids;
                }));
            }
            for (int c = 0; c < channels.size(); c++) {
                List<String> ids = results.get(c).get();
                List<SseEvent> stored = storage.messagesAfter(channels.get(c), MessageStorage.EARLIEST).events();
                assertEquals(ids, stored.stream().map(SseEvent::id).toList());
                Set<String> data = new HashSet<>();
                stored.forEach(e -> data.add(e.data()));
                assertEquals(40, data.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void dataRoundTripsExactly() {
        String channel = freshChannel();
        String tricky = "line one\nline two\r\nline three\rend 🚀 ünïcödé \"quotes\" {\"json\":true}";
        storage.append(channel, SseEvent.of("custom.type", tricky));
        storage.append(channel, SseEvent.of("empty", ""));
        List<SseEvent> events = storage.messagesAfter(channel, MessageStorage.EARLIEST).events();
        assertEquals(tricky, events.get(0).data());
        assertEquals("custom.type", events.get(0).eventType());
        assertEquals("", events.get(1).data());
    }
}
