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
        Replay all = storage.messagesAfter("c", MessageStorage.EARLIEST);
        assertEquals(List.of("m2", "m3", "m4"), all.events().stream().map(SseEvent::data).toList());
        assertFalse(storage.messagesAfter("c", ids.get(0)).complete());
        assertTrue(storage.messagesAfter("c", ids.get(1)).complete(), "the last evicted id is still a known position");
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
            Replay replay = storage.messagesAfter("c", MessageStorage.EARLIEST);
            assertEquals(List.of("newer"), replay.events().stream().map(SseEvent::data).toList());
            assertTrue(storage.messagesAfter("c", old).complete(), "the last expired id is still a known position");
            clock.millis += Duration.ofMinutes(6).toMillis();
            storage.sweep();
            assertEquals(0, storage.channelCount());
            assertFalse(storage.messagesAfter("c", old).complete());
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
        assertEquals(2, storage.messagesAfter("c", MessageStorage.EARLIEST).events().size());
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
        assertTrue(storage.messagesAfter("c", MessageStorage.EARLIEST).complete());
        assertFalse(storage.messagesAfter("c", "1-0").complete());
    }
}
