package io.ssegateway.plugin.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamConfiguration;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the NATS storage does beyond the contract: its stream, subjects, the gap rule, dedupe, outages. */
class NatsStreamStorageTest {

    @RegisterExtension
    static final NatsPerClass NATS = new NatsPerClass();

    private static String freshChannel() {
        return "storage-" + UUID.randomUUID();
    }

    private static List<String> ids(Replay replay) {
        return replay.events().stream().map(SseEvent::streamId).toList();
    }

    @Test
    void createsTheStreamWithTheConfiguredSubjectsAndLimits() throws Exception {
        try (ClosingStorage storage = closing(NatsFixtures.storage(NATS.server(), "stream", "LIMITS", "subject-prefix",
                "limits", "max-msgs-per-subject", "7", "max-age", "10m", "duplicate-window", "30s"));
             Connection connection = Nats.connect(NATS.server().url())) {
            StreamConfiguration config = connection.jetStreamManagement().getStreamInfo("LIMITS").getConfiguration();
            assertEquals(List.of("limits.>"), config.getSubjects());
            assertEquals(7, config.getMaxMsgsPerSubject());
            assertEquals(Duration.ofMinutes(10), config.getMaxAge());
            assertEquals(Duration.ofSeconds(30), config.getDuplicateWindow());
            assertTrue(config.getAllowDirect(), "one replica: replays use direct gets");
            assertFalse(NatsLink.directGets(3), "a follower may lag: replicated streams are read through the leader");
            assertTrue(storage.isAvailable());
        }
        // another instance with other limits updates them rather than failing
        try (ClosingStorage storage = closing(NatsFixtures.storage(NATS.server(), "stream", "LIMITS", "subject-prefix",
                "limits", "max-msgs-per-subject", "9"));
             Connection connection = Nats.connect(NATS.server().url())) {
            assertEquals(9, connection.jetStreamManagement().getStreamInfo("LIMITS").getConfiguration().getMaxMsgsPerSubject());
            assertTrue(storage.isAvailable());
        }
    }

    @Test
    void anotherStreamOnTheSameSubjectsLeavesTheStorageUnavailableNotBroken() throws Exception {
        try (Connection connection = Nats.connect(NATS.server().url())) {
            connection.jetStreamManagement().addStream(StreamConfiguration.builder().name("SOMEONE_ELSES")
                    .subjects("clash.>").storageType(io.nats.client.api.StorageType.Memory).build());
        }
        try (ClosingStorage storage = closing(NatsFixtures.storage(NATS.server(), "stream", "CLASH", "subject-prefix", "clash"))) {
            assertFalse(storage.isAvailable(), "its stream could not be created: /ready must say so");
            assertThrows(RuntimeException.class, () -> storage.append("c", SseEvent.of("t", "x")));
        }
    }

    @Test
    void oneMessagePerEventOnTheChannelsSubjectWithTheStreamSequenceAsId() throws Exception {
        try (ClosingStorage storage = closing(NatsFixtures.storage(NATS.server()))) {
            String channel = "odd channel.with*dots>";
            String id = storage.append(channel, SseEvent.of("order.created", "{\"total\":3}"));
            String subject = "sse." + Tokens.subjectToken(channel);
            assertEquals(1, NatsFixtures.messagesOn(NATS.server(), "SSE", subject));
            try (Connection connection = Nats.connect(NATS.server().url())) {
                var stored = connection.jetStreamManagement().getMessage("SSE", Long.parseLong(id));
                assertEquals(subject, stored.getSubject());
                assertEquals("{\"total\":3}", new String(stored.getData(), java.nio.charset.StandardCharsets.UTF_8));
                assertEquals("order.created", stored.getHeaders().getFirst("Sse-Event"));
                assertEquals("0", stored.getHeaders().getFirst("Sse-Prev"));
            }
            assertEquals(List.of(id), ids(storage.messagesAfter(channel, MessageStorage.EARLIEST, 1000)));
        }
    }

    @Test
    void anIdTheChannelEvictedLastReplaysCompletelyAnOlderOneGivesAGap() {
        try (ClosingStorage storage = closing(NatsFixtures.storage(NATS.server(), "stream", "SMALL", "subject-prefix",
                "small", "max-msgs-per-subject", "3"))) {
            String channel = freshChannel();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ids.add(storage.append(channel, SseEvent.of("t", "m" + i)));
                storage.append(freshChannel(), SseEvent.of("t", "elsewhere")); // other channels interleave
            }
            Replay all = storage.messagesAfter(channel, MessageStorage.EARLIEST, Integer.MAX_VALUE);
            assertEquals(ids.subList(3, 6), ids(all));
            Replay afterLastEvicted = storage.messagesAfter(channel, ids.get(2), Integer.MAX_VALUE);
            assertTrue(afterLastEvicted.complete(), "the client had everything up to the oldest retained message");
            assertEquals(ids.subList(3, 6), ids(afterLastEvicted));
            Replay afterOlder = storage.messagesAfter(channel, ids.get(1), Integer.MAX_VALUE);
            assertFalse(afterOlder.complete(), "the client missed " + ids.get(2));
            assertEquals(ids.subList(3, 6), ids(afterOlder));
            assertEquals(ids.get(3), afterOlder.earliestId());
            Replay afterRetained = storage.messagesAfter(channel, ids.get(4), Integer.MAX_VALUE);
            assertTrue(afterRetained.complete());
            assertEquals(ids.subList(5, 6), ids(afterRetained));
        }
    }

    @Test
    void anIdOfAnotherChannelOrBeyondTheStreamIsAGap() {
        try (ClosingStorage storage = closing(NatsFixtures.storage(NATS.server()))) {
            String channel = freshChannel();
            String mine = storage.append(channel, SseEvent.of("t", "mine"));
            String theirs = storage.append(freshChannel(), SseEvent.of("t", "theirs"));
            for (String foreign : List.of(theirs, "999999999", "0", "-3", "12abc")) {
                Replay replay = storage.messagesAfter(channel, foreign, Integer.MAX_VALUE);
                assertFalse(replay.complete(), foreign);
                assertEquals(List.of(mine), ids(replay), foreign);
            }
        }
    }

    @Test
    void theBusinessIdIsIdempotentPerChannel() throws Exception {
        try (ClosingStorage storage = closing(NatsFixtures.storage(NATS.server()))) {
            String a = freshChannel();
            String b = freshChannel();
            String first = storage.append(a, SseEvent.of("t", "x").withMessageId("order-42"));
            assertEquals(first, storage.append(a, SseEvent.of("t", "x").withMessageId("order-42")));
            String onB = storage.append(b, SseEvent.of("t", "x").withMessageId("order-42"));
            assertNotEquals(first, onB, "the same business id on another channel is another message");
            String unicode = storage.append(a, SseEvent.of("t", "y").withMessageId("bestellung-ä 1"));
            assertEquals(unicode, storage.append(a, SseEvent.of("t", "y").withMessageId("bestellung-ä 1")));
            assertEquals(2, NatsFixtures.messagesOn(NATS.server(), "SSE", "sse." + a));
            assertEquals("bestellung-ä 1", storage.messagesAfter(a, first, 1000).events().get(0).messageId());
        }
    }

    @Test
    void appendsFromTwoInstancesKeepEachChannelsChainOfPreviousIds() throws Exception {
        try (ClosingStorage one = closing(NatsFixtures.storage(NATS.server()));
             ClosingStorage two = closing(NatsFixtures.storage(NATS.server()))) {
            String channel = freshChannel();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                // each instance remembers the channel's last sequence; the other's appends make it stale
                ids.add((i % 2 == 0 ? one : two).append(channel, SseEvent.of("t", "m" + i)));
            }
            try (Connection connection = Nats.connect(NATS.server().url())) {
                String previous = "0";
                for (String id : ids) {
                    var stored = connection.jetStreamManagement().getMessage("SSE", Long.parseLong(id));
                    assertEquals(previous, stored.getHeaders().getFirst("Sse-Prev"), "message " + id);
                    previous = id;
                }
            }
        }
    }

    @Test
    void compareIdsIsNumericAndRefusesWhatItNeverIssued() {
        try (ClosingStorage storage = closing(NatsFixtures.storage(NATS.server()))) {
            assertTrue(storage.compareIds("9", "10") < 0);
            assertEquals(0, storage.compareIds("10", "10"));
            assertThrows(IllegalArgumentException.class, () -> storage.compareIds("1764215400123-0", "10"));
            assertThrows(IllegalArgumentException.class, () -> storage.compareIds("10", "0"));
        }
    }

    @Test
    void unavailableWhileNatsIsDownAndBackAfterItRestartsWithItsData() {
        NatsServer own = NatsServer.start();
        try (ClosingStorage storage = closing(NatsFixtures.storage(own))) {
            String channel = freshChannel();
            String before = storage.append(channel, SseEvent.of("t", "before"));
            own.stop();
            SseClient.awaitCondition(() -> !storage.isAvailable(), Duration.ofSeconds(10), () -> "still available");
            StorageException refused = assertThrows(StorageException.class,
                    () -> storage.append(channel, SseEvent.of("t", "during")));
            assertTrue(refused.getMessage().contains("not connected"), refused.getMessage());
            own.restart();
            SseClient.awaitCondition(storage::isAvailable, Duration.ofSeconds(15), () -> "not available again");
            String after = storage.append(channel, SseEvent.of("t", "after"));
            assertEquals(List.of(after), ids(storage.messagesAfter(channel, before, 1000)));
            assertTrue(storage.messagesAfter(channel, before, 1000).complete());
        } finally {
            own.close();
        }
    }

    @Test
    void aStreamLostWithItsServerIsCreatedAgain() {
        NatsServer own = NatsServer.start();
        try (ClosingStorage storage = closing(NatsFixtures.storage(own, "storage", "memory"))) {
            String channel = freshChannel();
            storage.append(channel, SseEvent.of("t", "before"));
            String before = storage.append(channel, SseEvent.of("t", "before too"));
            own.kill();
            own.restart(); // a memory stream does not survive: the server comes back without it
            SseClient.awaitCondition(() -> {
                try {
                    return storage.isAvailable() && storage.append(channel, SseEvent.of("t", "after")) != null;
                } catch (StorageException notYet) {
                    return false;
                }
            }, Duration.ofSeconds(15), () -> "no append after the restart");
            Replay replay = storage.messagesAfter(channel, before, 1000);
            assertFalse(replay.complete(), "the history before the loss is gone: a gap");
            assertEquals("after", replay.events().get(0).data());
            // a recreated stream numbers from 1 again: the id "1" of the lost history now names the new message
            assertEquals("1", replay.events().get(0).streamId());
        } finally {
            own.close();
        }
    }

    /** A storage as an AutoCloseable for try-with-resources. */
    private static ClosingStorage closing(MessageStorage storage) {
        return new ClosingStorage(storage);
    }

    private record ClosingStorage(MessageStorage storage) implements MessageStorage, AutoCloseable {
        @Override
        public String append(String channelId, SseEvent event) {
            return storage.append(channelId, event);
        }

        @Override
        public Replay messagesAfter(String channelId, String lastEventId, int maxBytes) {
            return storage.messagesAfter(channelId, lastEventId, maxBytes);
        }

        @Override
        public int compareIds(String a, String b) {
            return storage.compareIds(a, b);
        }

        @Override
        public boolean isAvailable() {
            return storage.isAvailable();
        }

        @Override
        public String name() {
            return storage.name();
        }

        @Override
        public void close() {
            storage.close();
        }
    }
}
