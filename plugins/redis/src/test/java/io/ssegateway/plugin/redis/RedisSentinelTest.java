package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.redis.RedisSentinels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two gateway instances through real sentinels ({@code redis-sentinel://…#mymaster}, one replica's acknowledgement
 * by default): the master hangs while messages are sent, the sentinels promote the replica, and no acknowledged
 * message is lost; delivery and acknowledgements resume once the old master is back as a replica.
 */
class RedisSentinelTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aSentinelFailoverWhileMessagesAreSentLosesNoAcknowledgedMessage_andDeliveryResumes() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.start()) {
            Gateway a = RedisFixtures.gateway(sentinels.url(), RedisClusterTest.SETTINGS);
            Gateway b = RedisFixtures.gateway(sentinels.url(), RedisClusterTest.SETTINGS);
            try {
                RedisFixtures.awaitReady(a, WAIT);
                RedisFixtures.awaitReady(b, WAIT);
                String channel = "sentinel-" + UUID.randomUUID();
                String stream = "sse:stream:" + channel;
                try (SseClient onB = SseClient.subscribe(b.port(), channel)) {
                    SseClient.awaitCondition(() -> b.connections().channelConnectionCount(channel) == 1, WAIT,
                            () -> "not registered");
                    String first = Http.publish(a.port(), channel, "tick", "first");
                    assertEquals(first, onB.awaitMessages(1, WAIT).getFirst().id(), "sent on A, delivered on B");

                    List<String> acknowledged;
                    try (FailoverRun run = new FailoverRun(channel, List.of(a, b))) {
                        SseClient.awaitCondition(() -> run.acknowledged().size() >= 10, WAIT, () -> "nothing acknowledged");
                        RedisServer master = sentinels.master();
                        master.pause();
                        try {
                            sentinels.awaitNewMaster(master);
                        } finally {
                            master.resume();
                        }
                        int before = run.acknowledged().size();
                        SseClient.awaitCondition(() -> run.acknowledged().size() >= before + 10, WAIT,
                                () -> "acknowledgements did not resume after the failover");
                        acknowledged = run.acknowledged();
                        assertTrue(run.sawNotReady(), "/ready answered 503 while the master hung");
                    }
                    RedisServer promoted = sentinels.master();
                    List<String> stored = RedisFixtures.streamIds(promoted, stream);
                    List<String> missing = new ArrayList<>(acknowledged);
                    missing.removeAll(new HashSet<>(stored));
                    assertEquals(List.of(), missing, "every acknowledged message is on the promoted master");

                    RedisFixtures.awaitReady(a, WAIT);
                    RedisFixtures.awaitReady(b, WAIT);
                    String last = Http.publish(a.port(), channel, "tick", "after");
                    assertEquals(last, onB.awaitEvent(event -> "after".equals(event.data()), WAIT).id(),
                            "live delivery resumed on the other instance");
                    try (SseClient replay = SseClient.connect(b.port(), "/sse/connect?channel_id=" + channel,
                            SseClient.options().header("Last-Event-ID", first))) {
                        List<String> after = RedisFixtures.streamIds(promoted, stream);
                        after = after.subList(1, after.size());
                        assertEquals(after, replay.awaitMessages(after.size(), WAIT).stream().map(SseClient.Event::id)
                                .toList(), "replayed exactly after the first message");
                    }
                }
            } finally {
                a.stop();
                b.stop();
            }
        }
    }
}
