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
        Replay all = replay(channel, MessageStorage.EARLIEST);
        assertTrue(all.complete());
        assertEquals(ids, all.events().stream().map(SseEvent::streamId).toList());
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
        Replay after = replay(channel, ids.get(3));
        assertTrue(after.complete(), "an id that is retained must give a complete replay");
        assertEquals(ids.subList(4, 10), after.events().stream().map(SseEvent::streamId).toList());
        Replay afterLast = replay(channel, ids.get(9));
        assertTrue(afterLast.complete());
        assertTrue(afterLast.events().isEmpty());
    }

    @Test
    void unknownIdGivesAGapWithEverythingRetained() {
        String channel = freshChannel();
        String first = storage.append(channel, event("a"));
        storage.append(channel, event("b"));
        Replay replay = replay(channel, "not-an-id-this-storage-issued");
        assertFalse(replay.complete());
        assertEquals(2, replay.events().size());
        assertEquals(first, replay.earliestId());
    }

    @Test
    void unknownChannelHasNoHistory() {
        Replay earliest = replay(freshChannel(), MessageStorage.EARLIEST);
        assertTrue(earliest.events().isEmpty());
        assertTrue(earliest.complete());
    }

    @Test
    void channelsAreIsolated() {
        String a = freshChannel();
        String b = freshChannel();
        storage.append(a, event("for a"));
        storage.append(b, event("for b"));
        List<SseEvent> onA = replay(a, MessageStorage.EARLIEST).events();
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
        assertEquals(2, replay(channel, MessageStorage.EARLIEST).events().size());
        assertEquals("business-1", replay(channel, MessageStorage.EARLIEST).events().get(0).messageId());
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
                List<SseEvent> stored = replay(channels.get(c), MessageStorage.EARLIEST).events();
                assertEquals(ids, stored.stream().map(SseEvent::streamId).toList());
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
        List<SseEvent> events = replay(channel, MessageStorage.EARLIEST).events();
        assertEquals(tricky, events.get(0).data());
        assertEquals("custom.type", events.get(0).eventType());
        assertEquals("", events.get(1).data());
    }

    @Test
    void aPageStaysWithinItsByteBudgetAndThePagesTogetherAreTheWholeHistory() {
        String channel = freshChannel();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(storage.append(channel, event(i + ":" + "x".repeat(1000))));
        }
        int budget = 5_000;
        List<String> replayed = new ArrayList<>();
        String after = MessageStorage.EARLIEST;
        int pages = 0;
        Replay page;
        do {
            page = storage.messagesAfter(channel, after, budget);
            assertTrue(page.complete(), "a retained id must give a complete page");
            assertFalse(page.events().isEmpty(), "a page after a retained id with more history must not be empty");
            long bytes = page.events().stream().mapToLong(SseEvent::sizeEstimate).sum();
            assertTrue(bytes <= budget, "page of " + bytes + " estimated bytes over its budget of " + budget);
            page.events().forEach(e -> replayed.add(e.streamId()));
            after = page.lastId();
            assertTrue(++pages <= 30, "the pages never end");
        } while (page.more());
        assertEquals(ids, replayed);
        assertTrue(pages > 1, "30 events of ~2 KB must not fit one 5 KB page");
    }

    @Test
    void aBudgetSmallerThanOneEventStillReturnsOneEvent() {
        String channel = freshChannel();
        String first = storage.append(channel, event("x".repeat(500)));
        storage.append(channel, event("y".repeat(500)));
        Replay page = storage.messagesAfter(channel, MessageStorage.EARLIEST, 1);
        assertEquals(List.of(first), page.events().stream().map(SseEvent::streamId).toList());
        assertTrue(page.more());
    }

    @Test
    void aGapIsPagedToo() {
        String channel = freshChannel();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(storage.append(channel, event("z".repeat(400))));
        }
        Replay first = storage.messagesAfter(channel, "not-an-id-this-storage-issued", 1);
        assertFalse(first.complete());
        assertEquals(ids.get(0), first.earliestId());
        assertTrue(first.more());
        Replay rest = replay(channel, first.lastId());
        assertTrue(rest.complete());
        assertEquals(ids.subList(1, 5), rest.events().stream().map(SseEvent::streamId).toList());
    }

    @Test
    void compareIdsOrdersTheIdsItIssued() {
        String channel = freshChannel();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(storage.append(channel, event("m" + i)));
        }
        for (int i = 0; i < ids.size(); i++) {
            for (int j = 0; j < ids.size(); j++) {
                assertEquals(Integer.signum(Integer.compare(i, j)), Integer.signum(storage.compareIds(ids.get(i), ids.get(j))),
                        ids.get(i) + " vs " + ids.get(j));
            }
        }
    }
}
