package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.MultiChannelRace;
import io.ssegateway.host.testkit.SseClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Multi-channel connections on two instances sharing the Redis storage: one cursor resumes on either instance. */
class MultiChannelRedisTest extends GatewaysOnRedis {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A history long enough that no client of the race falls out of it. */
    @Override
    protected io.ssegateway.spi.storage.MessageStorage storage() {
        return RedisFixtures.storage(redis, "max-len", "100000");
    }

    @Test
    void aCursorFromOneInstanceResumesEveryChannelOnTheOther() throws Exception {
        String x = "mc-x-" + UUID.randomUUID();
        String y = "mc-y-" + UUID.randomUUID();
        String path = "/sse/connect?channel_id=" + x + "&channel_id=" + y;
        Http.publish(a.port(), x, "n", "before");
        String lastId;
        try (SseClient onA = SseClient.connect(a.port(), path, SseClient.options())) {
            onA.awaitEvent(event -> event.type().equals("subscribed"), WAIT);
            Http.publish(b.port(), y, "n", "y1");
            onA.awaitEvent(event -> event.type().equals("n"), WAIT);
            lastId = onA.lastEventId();
        }
        Http.publish(a.port(), x, "n", "x1");
        Http.publish(b.port(), y, "n", "y2");
        try (SseClient onB = SseClient.connect(b.port(), path, SseClient.options().header("Last-Event-ID", lastId))) {
            SseClient.awaitCondition(() -> data(onB).size() == 2, WAIT, () -> "got " + onB.events());
            assertEquals(List.of(x + ":x1", y + ":y2"), data(onB));
            assertTrue(onB.events().stream().noneMatch(event -> event.type().equals("gap")), "no gap: " + onB.events());
        }
    }

    /** The race of issue 15 on Redis: clients reconnect to the two instances in turn; the publisher uses the first. */
    @Test
    void reconnectingMultiChannelClientsMissNothingAcrossInstances() throws Exception {
        long gapsBefore = a.metrics().replayGaps.sum() + b.metrics().replayGaps.sum();
        MultiChannelRace.run("mc-race-" + UUID.randomUUID(), a.port(), new int[] {a.port(), b.port()}, 20, 8);
        assertEquals(gapsBefore, a.metrics().replayGaps.sum() + b.metrics().replayGaps.sum());
    }

    /** First connects while the publisher runs, on both instances: where each channel starts is exact there too. */
    @Test
    void clientsConnectingWhileAPublisherRunsStartEachChannelExactlyOnEitherInstance() throws Exception {
        long gapsBefore = a.metrics().replayGaps.sum() + b.metrics().replayGaps.sum();
        MultiChannelRace.run("mc-live-" + UUID.randomUUID(), a.port(), new int[] {a.port(), b.port()}, 20, 6, true);
        assertEquals(gapsBefore, a.metrics().replayGaps.sum() + b.metrics().replayGaps.sum());
    }

    private static List<String> data(SseClient client) {
        return client.messages().stream().filter(event -> event.type().equals("n")).map(event -> {
            var envelope = MultiChannelRace.envelope(event);
            return envelope.get("channel").asText() + ":" + envelope.get("data").asText();
        }).toList();
    }
}
