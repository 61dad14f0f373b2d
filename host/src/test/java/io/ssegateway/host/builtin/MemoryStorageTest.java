package io.ssegateway.host.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryStorageTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        long millis = 1_700_000_000_000L;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void idsAreEpochMillisAndSequenceAndStrictlyIncreaseEvenIfTheClockStepsBack() {
        ManualClock clock = new ManualClock();
        MemoryStorage storage = new MemoryStorage(100, Duration.ZERO, clock);
        assertEquals("1700000000000-0", storage.append("c", SseEvent.of("t", "a")));
        assertEquals("1700000000000-1", storage.append("c", SseEvent.of("t", "b")));
        clock.millis -= 5_000;
        assertEquals("1700000000000-2", storage.append("c", SseEvent.of("t", "c")));
        clock.millis += 10_000;
        assertEquals("1700000005000-0", storage.append("c", SseEvent.of("t", "d")));
        assertEquals("1700000005000-0", storage.append("other", SseEvent.of("t", "e")));
    }

    @Test
    void retentionKeepsTheLastMaxEvents() {
        MemoryStorage storage = new MemoryStorage(3, Duration.ZERO);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(storage.append("c", SseEvent.of("t", "m" + i)));
        }
        Replay all = storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE);
        assertEquals(List.of("m2", "m3", "m4"), all.events().stream().map(SseEvent::data).toList());
        assertFalse(storage.messagesAfter("c", ids.get(0), Integer.MAX_VALUE).complete());
        assertTrue(storage.messagesAfter("c", ids.get(1), Integer.MAX_VALUE).complete(), "the last evicted id is still a known position");
    }

    @Test
    void eventsExpireAfterTheTtlAndEmptyChannelsAreForgotten() {
        ManualClock clock = new ManualClock();
        MemoryStorage storage = new MemoryStorage(100, Duration.ofMinutes(10), clock);
        try {
            String old = storage.append("c", SseEvent.of("t", "old"));
            clock.millis += Duration.ofMinutes(6).toMillis();
            storage.append("c", SseEvent.of("t", "newer"));
            storage.append("gone", SseEvent.of("t", "x"));
            clock.millis += Duration.ofMinutes(5).toMillis();
            Replay replay = storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE);
            assertEquals(List.of("newer"), replay.events().stream().map(SseEvent::data).toList());
            assertTrue(storage.messagesAfter("c", old, Integer.MAX_VALUE).complete(), "the last expired id is still a known position");
            clock.millis += Duration.ofMinutes(6).toMillis();
            storage.sweep();
            assertEquals(0, storage.channelCount());
            assertFalse(storage.messagesAfter("c", old, Integer.MAX_VALUE).complete());
        } finally {
            storage.close();
        }
    }

    @Test
    void idempotencyHoldsWhileTheEventIsRetained() {
        MemoryStorage storage = new MemoryStorage(2, Duration.ZERO);
        String first = storage.append("c", SseEvent.of("t", "a").withMessageId("biz"));
        assertEquals(first, storage.append("c", SseEvent.of("t", "a").withMessageId("biz")));
        storage.append("c", SseEvent.of("t", "b"));
        storage.append("c", SseEvent.of("t", "c"));
        assertNotEquals(first, storage.append("c", SseEvent.of("t", "a").withMessageId("biz")),
                "once evicted, the business id may be stored again");
    }

    @Test
    void theFactoryReadsItsNodeAndNamesBadKeys() {
        MemoryStorage.Factory factory = new MemoryStorage.Factory();
        assertEquals("memory", factory.name());
        MessageStorage storage = factory.create(PluginConfig.of("gateway.storage.memory", Map.of("max-events", "2", "ttl", "0")));
        for (int i = 0; i < 3; i++) {
            storage.append("c", SseEvent.of("t", "m" + i));
        }
        assertEquals(2, storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().size());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> factory.create(
                PluginConfig.of("gateway.storage.memory", Map.of("ttl", "soon"))));
        assertTrue(bad.getMessage().contains("gateway.storage.memory.ttl"), bad.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> factory.create(
                PluginConfig.of("gateway.storage.memory", Map.of("max-events", "0"))));
        assertTrue(zero.getMessage().contains("gateway.storage.memory.max-events"), zero.getMessage());
    }

    @Test
    void noopStorageKeepsNothing() {
        NoopStorage storage = new NoopStorage();
        assertEquals(null, storage.append("c", SseEvent.of("t", "x")));
        assertTrue(storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE).complete());
        assertFalse(storage.messagesAfter("c", "1-0", Integer.MAX_VALUE).complete());
    }

    private static SseEvent sized(int bytes) {
        return SseEvent.of("t", "d".repeat(bytes));
    }

    @Test
    void aChannelKeepsAtMostItsBytesOldestFirst() {
        MemoryStorage storage = new MemoryStorage(1000, Duration.ZERO, 10_000, 1_000_000);
        long one = sized(1000).sizeEstimate();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(storage.append("c", sized(1000)));
        }
        Replay replay = storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE);
        long kept = 10_000 / one;
        assertEquals(kept, replay.events().size());
        assertEquals(ids.get(ids.size() - 1), replay.events().get(replay.events().size() - 1).streamId());
        assertEquals(ids.get((int) (ids.size() - kept)), replay.events().get(0).streamId(), "the oldest went first");
        // one event larger than the channel's limit is still kept (alone)
        storage.append("c", sized(20_000));
        assertEquals(1, storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().size());
        storage.close();
    }

    @Test
    void allChannelsTogetherKeepAtMostTheTotalOldestOfAnyChannelFirst() {
        MemoryStorage storage = new MemoryStorage(1000, Duration.ZERO, 1_000_000, 50_000);
        long one = sized(1000).sizeEstimate();
        List<String> appended = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            appended.add("ch-" + (i % 7) + "/" + storage.append("ch-" + (i % 7), sized(1000)));
        }
        List<String> kept = new ArrayList<>();
        for (int c = 0; c < 7; c++) {
            for (SseEvent event : storage.messagesAfter("ch-" + c, MessageStorage.EARLIEST, Integer.MAX_VALUE).events()) {
                kept.add("ch-" + c + "/" + event.streamId());
            }
        }
        assertEquals(50_000 / one, kept.size(), "kept " + kept.size() * one + " bytes");
        // exactly the newest appends, whatever their channel
        assertEquals(new java.util.HashSet<>(appended.subList(appended.size() - kept.size(), appended.size())),
                new java.util.HashSet<>(kept));
        storage.close();
    }

    @Test
    void theBytesLimitsAreConfigurable() {
        PluginConfig config = PluginConfig.of("gateway.storage.memory", Map.of("max-bytes-per-channel", "2048", "max-bytes", "4096", "ttl", "0"));
        MessageStorage storage = new MemoryStorage.Factory().create(config);
        for (int i = 0; i < 10; i++) {
            storage.append("c", sized(500));
        }
        assertTrue(storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE).events().size() <= 2);
        storage.close();
        assertThrows(IllegalArgumentException.class,
                () -> new MemoryStorage.Factory().create(PluginConfig.of("gateway.storage.memory", Map.of("max-bytes", "0"))));
    }
}
