package io.ssegateway.plugin.redis;

import static io.ssegateway.host.testkit.SseClient.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.redis.RedisPerClass;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retention, gaps, idempotency across instances, the keys written, and outages of the Redis Streams storage. */
class RedisStreamStorageTest {

    @RegisterExtension
    static final RedisPerClass REDIS = new RedisPerClass();

    private static String freshChannel() {
        return "storage-" + UUID.randomUUID();
    }

    private static List<String> appendMany(MessageStorage storage, String channel, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(storage.append(channel, SseEvent.of("test", "m" + i)));
        }
        return ids;
    }

    private static List<String> idsOf(Replay replay) {
        return replay.events().stream().map(SseEvent::streamId).toList();
    }

    @Test
    void writesTheDocumentedFieldsKeysAndTtls() {
        try (var closer = new Closer(RedisFixtures.storage(REDIS.server(), "ttl", "10m"))) {
            String channel = freshChannel();
            String first = closer.storage.append(channel, SseEvent.of("order.created", "{\"total\":3}").withMessageId("o-1"));
            String second = closer.storage.append(channel, SseEvent.of("order.paid", "paid"));
            List<?> entries = (List<?>) REDIS.server().command("XRANGE", "sse:stream:" + channel, "-", "+");
            assertEquals(List.of(first, List.of("event_type", "order.created", "data", "{\"total\":3}", "id", "o-1")),
                    entries.get(0));
            assertEquals(List.of(second, List.of("event_type", "order.paid", "data", "paid", "prev", first)), entries.get(1));
            assertEquals(first, REDIS.server().command("HGET", "sse:ids:" + channel, "o-1"));
            long streamTtl = (Long) REDIS.server().command("PTTL", "sse:stream:" + channel);
            long indexTtl = (Long) REDIS.server().command("PTTL", "sse:ids:" + channel);
            assertTrue(streamTtl > 590_000 && streamTtl <= 600_000, "stream ttl " + streamTtl);
            assertTrue(indexTtl > 590_000 && indexTtl <= 600_000, "index ttl " + indexTtl);
        }
    }

    @Test
    void keyPrefixIsConfigurable() {
        try (var closer = new Closer(RedisFixtures.storage(REDIS.server(), "key-prefix", "app1:"))) {
            String channel = freshChannel();
            String id = closer.storage.append(channel, SseEvent.of("t", "d"));
            assertEquals(List.of(id), RedisFixtures.streamIds(REDIS.server(), "app1:stream:" + channel));
            assertEquals(0L, REDIS.server().command("EXISTS", "sse:stream:" + channel));
        }
    }

    @Test
    void trimsToAboutMaxLenAndTellsTrimmedIdsFromTheLastTrimmedOne() {
        try (var closer = new Closer(RedisFixtures.storage(REDIS.server(), "max-len", "10"))) {
            String channel = freshChannel();
            List<String> ids = appendMany(closer.storage, channel, 300);
            List<String> retained = RedisFixtures.streamIds(REDIS.server(), "sse:stream:" + channel);
            // MAXLEN ~ trims whole radix-tree nodes (100 entries by default): at least max-len, far fewer than 300
            assertTrue(retained.size() >= 10 && retained.size() <= 110, "retained " + retained.size());
            assertEquals(ids.subList(300 - retained.size(), 300), retained);
            int firstRetained = 300 - retained.size();

            Replay fromLastTrimmed = closer.storage.messagesAfter(channel, ids.get(firstRetained - 1), Integer.MAX_VALUE);
            assertTrue(fromLastTrimmed.complete(), "the entry trimmed last is known: nothing was missed");
            assertEquals(retained, idsOf(fromLastTrimmed));

            Replay fromOlder = closer.storage.messagesAfter(channel, ids.get(firstRetained - 2), Integer.MAX_VALUE);
            assertFalse(fromOlder.complete(), "an older trimmed id is a gap");
            assertEquals(retained, idsOf(fromOlder));
            assertEquals(retained.get(0), fromOlder.earliestId());

            Replay fromRetained = closer.storage.messagesAfter(channel, ids.get(295), Integer.MAX_VALUE);
            assertTrue(fromRetained.complete());
            assertEquals(ids.subList(296, 300), idsOf(fromRetained));
        }
    }

    @Test
    void theIdIndexForgetsTrimmedEvents() {
        try (var closer = new Closer(RedisFixtures.storage(REDIS.server(), "max-len", "10"))) {
            String channel = freshChannel();
            for (int i = 0; i < 500; i++) {
                closer.storage.append(channel, SseEvent.of("t", "d" + i).withMessageId("b-" + i));
            }
            long indexSize = (Long) REDIS.server().command("HLEN", "sse:ids:" + channel);
            assertTrue(indexSize <= 2 * 10 + 100 + 1, "the index keeps about what the stream keeps, not " + indexSize);
            // an id trimmed away is stored again (it is no longer retained); a retained one is not
            String retainedId = closer.storage.append(channel, SseEvent.of("t", "again").withMessageId("b-499"));
            assertEquals(REDIS.server().command("HGET", "sse:ids:" + channel, "b-499"), retainedId);
            long before = (Long) REDIS.server().command("XLEN", "sse:stream:" + channel);
            closer.storage.append(channel, SseEvent.of("t", "again").withMessageId("b-0"));
            assertEquals(before + 1, REDIS.server().command("XLEN", "sse:stream:" + channel));
        }
    }

    @Test
    void expiresAfterTheTtlOfSilenceAndThenReportsAGapWithNothing() {
        try (var closer = new Closer(RedisFixtures.storage(REDIS.server(), "ttl", "300ms"))) {
            String channel = freshChannel();
            String id = closer.storage.append(channel, SseEvent.of("t", "short-lived").withMessageId("x"));
            awaitCondition(() -> (Long) REDIS.server().command("EXISTS", "sse:stream:" + channel, "sse:ids:" + channel) == 0,
                    Duration.ofSeconds(5), () -> "the stream and its index did not expire");
            Replay replay = closer.storage.messagesAfter(channel, id, Integer.MAX_VALUE);
            assertFalse(replay.complete());
            assertTrue(replay.events().isEmpty());
            assertNull(replay.earliestId());
            assertTrue(closer.storage.messagesAfter(channel, MessageStorage.EARLIEST, Integer.MAX_VALUE).complete());
        }
    }

    @Test
    void idsThatWereNeverIssuedAreGaps() {
        try (var closer = new Closer(RedisFixtures.storage(REDIS.server()))) {
            String channel = freshChannel();
            String stream = "sse:stream:" + channel;
            REDIS.server().command("XADD", stream, "100-1", "event_type", "t", "data", "a");
            REDIS.server().command("XADD", stream, "100-5", "event_type", "t", "data", "b");
            REDIS.server().command("XADD", stream, "200-0", "event_type", "t", "data", "c");

            assertEquals(List.of("100-5", "200-0"), idsOf(closer.storage.messagesAfter(channel, "100-1", Integer.MAX_VALUE)));
            assertTrue(closer.storage.messagesAfter(channel, "100-1", Integer.MAX_VALUE).complete());
            assertTrue(closer.storage.messagesAfter(channel, "0100-01", Integer.MAX_VALUE).complete(), "leading zeros name the same id");
            for (String neverIssued : List.of("100-3", "150-0", "300-0", "99-0")) {
                Replay replay = closer.storage.messagesAfter(channel, neverIssued, Integer.MAX_VALUE);
                assertFalse(replay.complete(), neverIssued);
                assertEquals(List.of("100-1", "100-5", "200-0"), idsOf(replay), neverIssued);
            }
            for (String malformed : List.of("abc", "100", "100-", "-5", "1-2-3", "100-5 ", "+100-5",
                    "99999999999999999999-0", "1-99999999999999999999", "١٠٠-٥")) {
                Replay replay = closer.storage.messagesAfter(channel, malformed, Integer.MAX_VALUE);
                assertFalse(replay.complete(), malformed);
                assertEquals(3, replay.events().size(), malformed);
            }
        }
    }

    @Test
    void replaySkipsEntriesThatBreakTheGatewayRules() {
        try (var closer = new Closer(RedisFixtures.storage(REDIS.server()))) {
            String channel = freshChannel();
            String stream = "sse:stream:" + channel;
            REDIS.server().command("XADD", stream, "1-1", "event_type", "ok", "data", "a");
            REDIS.server().command("XADD", stream, "1-2", "event_type", "evil\nevent: injected", "data", "b");
            REDIS.server().command("XADD", stream, "1-3", "data", "no type");
            REDIS.server().command("XADD", stream, "1-4", "event_type", "ok", "data", "d");
            assertEquals(List.of("1-1", "1-4"), idsOf(closer.storage.messagesAfter(channel, MessageStorage.EARLIEST, Integer.MAX_VALUE)));
            assertEquals(List.of("1-4"), idsOf(closer.storage.messagesAfter(channel, "1-1", Integer.MAX_VALUE)));
        }
    }

    @Test
    void theScriptRefusesControlCharactersInEventTypeAndId() {
        try (var closer = new Closer(RedisFixtures.storage(REDIS.server()))) {
            String channel = freshChannel();
            assertThrows(StorageException.class, () -> closer.storage.append(channel, SseEvent.of("a\nb", "d")));
            assertThrows(StorageException.class,
                    () -> closer.storage.append(channel, SseEvent.of("t", "d").withMessageId("x\ry")));
            assertEquals(0L, REDIS.server().command("EXISTS", "sse:stream:" + channel));
        }
    }

    @Test
    void instancesAppendingTheSameMessagesStoreEachOnceWithOneId() throws Exception {
        try (var a = new Closer(RedisFixtures.storage(REDIS.server())); var b = new Closer(RedisFixtures.storage(REDIS.server()))) {
            String channel = freshChannel();
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            try {
                List<Future<List<String>>> results = new ArrayList<>();
                for (MessageStorage storage : List.of(a.storage, b.storage, a.storage, b.storage)) {
                    results.add(pool.submit(() -> {
                        List<String> ids = new ArrayList<>();
                        for (int i = 0; i < 50; i++) {
                            ids.add(storage.append(channel, SseEvent.of("t", "m" + i).withMessageId("msg-" + i)));
                        }
                        return ids;
                    }));
                }
                List<String> first = results.get(0).get();
                for (Future<List<String>> result : results) {
                    assertEquals(first, result.get(), "every instance gets the same id for the same message");
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(50L, REDIS.server().command("XLEN", "sse:stream:" + channel));
            List<SseEvent> stored = a.storage.messagesAfter(channel, MessageStorage.EARLIEST, Integer.MAX_VALUE).events();
            assertEquals(50, new HashSet<>(stored.stream().map(SseEvent::messageId).toList()).size());
        }
    }

    @Test
    void failsAppendsWhileRedisIsDownAndRecoversWithoutRestart() {
        try (RedisServer own = RedisServer.start(); var closer = new Closer(RedisFixtures.storage(own))) {
            String channel = freshChannel();
            String before = closer.storage.append(channel, SseEvent.of("t", "before"));
            own.kill();
            awaitCondition(() -> !closer.storage.isAvailable(), Duration.ofSeconds(5), () -> "still available");
            StorageException failure = assertThrows(StorageException.class,
                    () -> closer.storage.append(channel, SseEvent.of("t", "during")));
            assertTrue(failure.getMessage().contains("sse:stream:" + channel), failure.getMessage());
            assertThrows(StorageException.class, () -> closer.storage.messagesAfter(channel, before, Integer.MAX_VALUE));

            own.restart();
            awaitCondition(closer.storage::isAvailable, Duration.ofSeconds(10), () -> "did not reconnect");
            // Redis came back empty: the scripts are loaded again (NOSCRIPT) and the old id is a gap
            String after = closer.storage.append(channel, SseEvent.of("t", "after"));
            Replay replay = closer.storage.messagesAfter(channel, before, Integer.MAX_VALUE);
            assertFalse(replay.complete());
            assertEquals(List.of(after), idsOf(replay));
        }
    }

    @Test
    void startsUnavailableWhenRedisIsDownAndConnectsWhenItComes() {
        try (RedisServer own = RedisServer.start()) {
            own.kill();
            try (var closer = new Closer(RedisFixtures.storage(own))) {
                assertFalse(closer.storage.isAvailable());
                assertThrows(StorageException.class, () -> closer.storage.append("c", SseEvent.of("t", "d")));
                own.restart();
                awaitCondition(closer.storage::isAvailable, Duration.ofSeconds(10), () -> "never connected");
                assertEquals(List.of(closer.storage.append("c", SseEvent.of("t", "d"))),
                        idsOf(closer.storage.messagesAfter("c", MessageStorage.EARLIEST, Integer.MAX_VALUE)));
            }
        }
    }

    @Test
    void earliestOnAnEmptyChannelIsCompleteAndEmpty() {
        try (var closer = new Closer(RedisFixtures.storage(REDIS.server()))) {
            Replay replay = closer.storage.messagesAfter(freshChannel(), MessageStorage.EARLIEST, Integer.MAX_VALUE);
            assertTrue(replay.complete());
            assertTrue(replay.events().isEmpty());
        }
    }

    /** Closes a storage at the end of a try block. */
    private record Closer(RedisStreamStorage storage) implements AutoCloseable {
        @Override
        public void close() {
            storage.close();
        }
    }
}
