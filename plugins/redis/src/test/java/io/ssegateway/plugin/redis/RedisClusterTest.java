package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.RedisServer;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.redis.RedisCluster;
import io.ssegateway.redis.RedisClusterPerClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two gateway instances on a real 3-master, 3-replica Redis Cluster (the source and the storage on the cluster URL,
 * so the cluster key layout and one replica's acknowledgement): one message, every instance, stored once, replayed
 * exactly from either; a master failing over while messages are sent loses none that was acknowledged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    static final String[] SETTINGS = {"timeout", "2s", "replica-ack-timeout", "1s", "ping-interval", "500ms",
            "cluster-refresh-period", "500ms", "reconnect-max-delay", "500ms"};

    @RegisterExtension
    static final RedisClusterPerClass CLUSTER = new RedisClusterPerClass();

    private RedisCluster cluster;
    private Gateway a;
    private Gateway b;

    @BeforeAll
    void startGateways() {
        cluster = CLUSTER.cluster();
        a = RedisFixtures.gateway(cluster.url(), SETTINGS);
        b = RedisFixtures.gateway(cluster.url(), SETTINGS);
        RedisFixtures.awaitReady(a, WAIT);
        RedisFixtures.awaitReady(b, WAIT);
    }

    @AfterAll
    void stopGateways() {
        a.stop();
        b.stop();
    }

    @Test
    @Order(1)
    void publishedOnOneInstanceReachesTheOtherIsStoredOnceUnderTheHashTagAndReplaysExactlyFromEither() throws Exception {
        String channel = "cluster-" + UUID.randomUUID();
        String stream = "sse:stream:{" + channel + "}";
        List<String> sent = new ArrayList<>();
        try (SseClient onB = SseClient.subscribe(b.port(), channel)) {
            SseClient.awaitCondition(() -> b.connections().channelConnectionCount(channel) == 1, WAIT, () -> "not registered");
            for (int i = 0; i < 5; i++) {
                Http.Response response = Http.postJson(a.port(), "/api/send", Http.JSON.createObjectNode()
                        .put("channel_id", channel).put("event_type", "step").put("data", "m-" + i).put("id", "id-" + i)
                        .toString());
                assertEquals(200, response.status(), response.body());
                sent.add(response.json().get("stream_id").asText());
            }
            assertEquals(sent, onB.awaitMessages(5, WAIT).stream().map(SseClient.Event::id).toList(),
                    "B delivers what was sent through A, with A's ids");
        }
        assertEquals(5L, cluster.command(stream, "XLEN", stream), "stored once");
        assertEquals(sent, streamIds(cluster, stream));
        assertEquals(5L, cluster.command(stream, "HLEN", "sse:ids:{" + channel + "}"), "the id index, in the same slot");
        assertEquals(0L, cluster.command("sse:stream:" + channel, "EXISTS", "sse:stream:" + channel),
                "no key in the single layout");
        for (Gateway gateway : List.of(a, b)) {
            try (SseClient replay = SseClient.connect(gateway.port(), "/sse/connect?channel_id=" + channel,
                    SseClient.options().header("Last-Event-ID", sent.get(1)))) {
                assertEquals(sent.subList(2, 5), replay.awaitMessages(3, WAIT).stream().map(SseClient.Event::id).toList(),
                        "replayed exactly after the second message on " + gateway.port());
                assertTrue(replay.events().stream().noneMatch(event -> event.type().equals("gap")), replay.events().toString());
            }
        }
    }

    @Test
    @Order(1)
    void aPlainPublishWithAnIdOnAnyNodeIsStoredOnceAndDeliveredByBothWithTheSameId() throws Exception {
        String channel = "external-" + UUID.randomUUID();
        String stream = "sse:stream:{" + channel + "}";
        try (SseClient onA = SseClient.subscribe(a.port(), channel); SseClient onB = SseClient.subscribe(b.port(), channel)) {
            SseClient.awaitCondition(() -> a.connections().channelConnectionCount(channel) == 1
                    && b.connections().channelConnectionCount(channel) == 1, WAIT, () -> "not registered");
            RedisServer anyNode = cluster.replicaOf(cluster.masterOf(stream));
            anyNode.command("PUBLISH", "sse:" + channel, "{\"event_type\": \"t\", \"data\": \"x\", \"id\": \"ext-1\"}");
            SseClient.Event onAEvent = onA.awaitMessages(1, WAIT).getFirst();
            SseClient.Event onBEvent = onB.awaitMessages(1, WAIT).getFirst();
            assertEquals("x", onAEvent.data());
            assertEquals(onAEvent.id(), onBEvent.id(), "the same stream id on both instances");
            assertEquals(List.of(onAEvent.id()), streamIds(cluster, stream), "stored once under the hash tag");
        }
    }

    @Test
    @Order(2)
    void aMessageNoReplicaConfirmedIsNotAcknowledged() throws Exception {
        String channel = "unreplicated-" + UUID.randomUUID();
        String stream = "sse:stream:{" + channel + "}";
        RedisServer replica = cluster.replicaOf(cluster.masterOf(stream));
        cluster.pause(replica);
        try {
            Http.Response response = Http.postJson(a.port(), "/api/send", Http.JSON.createObjectNode()
                    .put("channel_id", channel).put("event_type", "t").put("data", "d").put("id", "only-on-the-master")
                    .toString());
            // nobody is subscribed: the gateway says it does not know whether the message is stored
            assertEquals(503, response.status(), response.body());
            assertEquals("unknown", response.json().get("stored").asText(), response.body());
            assertTrue(response.json().get("stream_id") == null || response.json().get("stream_id").isNull(),
                    "no stream id without a replica's confirmation: " + response.body());
            assertTrue(response.json().get("warning").asText().contains("0 of 1 replicas confirmed"), response.body());
        } finally {
            cluster.resume(replica);
        }
        String retried = Http.postJson(a.port(), "/api/send", Http.JSON.createObjectNode().put("channel_id", channel)
                .put("event_type", "t").put("data", "d").put("id", "only-on-the-master").toString())
                .json().get("stream_id").asText();
        assertEquals(List.of(retried), streamIds(cluster, stream), "the retry acknowledged the entry, stored once");
    }

    @Test
    @Order(3)
    void aMasterFailingOverWhileMessagesAreSentLosesNoAcknowledgedMessage_andDeliveryResumes() throws Exception {
        String channel = "failover-" + UUID.randomUUID();
        String stream = "sse:stream:{" + channel + "}";
        try (SseClient onB = SseClient.subscribe(b.port(), channel)) {
            SseClient.awaitCondition(() -> b.connections().channelConnectionCount(channel) == 1, WAIT, () -> "not registered");
            List<String> acknowledged;
            boolean sawNotReady;
            try (FailoverRun run = new FailoverRun(channel, List.of(a, b))) {
                SseClient.awaitCondition(() -> run.acknowledged().size() >= 10, WAIT, () -> "no messages acknowledged");
                RedisServer master = cluster.masterOf(stream);
                cluster.pause(master);
                try {
                    cluster.awaitNewMaster(stream, master);
                } finally {
                    cluster.resume(master);
                }
                cluster.awaitAllOk();
                int before = run.acknowledged().size();
                SseClient.awaitCondition(() -> run.acknowledged().size() >= before + 10, WAIT,
                        () -> "acknowledgements did not resume after the failover");
                acknowledged = run.acknowledged();
                sawNotReady = run.sawNotReady();
                assertTrue(run.unacknowledged() > 0, "some sends were refused during the failover");
            }
            assertTrue(sawNotReady, "/ready answered 503 while the channel's master hung");
            List<String> stored = streamIds(cluster, stream);
            assertTrue(new HashSet<>(stored).containsAll(acknowledged), "every acknowledged message is stored: missing "
                    + acknowledged.stream().filter(id -> !stored.contains(id)).toList());
            List<Object> data = datas(cluster, stream);
            assertEquals(data.size(), new HashSet<>(data).size(), "no message stored twice");

            RedisFixtures.awaitReady(a, WAIT);
            RedisFixtures.awaitReady(b, WAIT);
            String last = Http.publish(a.port(), channel, "tick", "after");
            SseClient.Event live = onB.awaitEvent(event -> "after".equals(event.data()), WAIT);
            assertEquals(last, live.id(), "live delivery resumed on the other instance");
            for (Gateway gateway : List.of(a, b)) {
                try (SseClient replay = SseClient.connect(gateway.port(), "/sse/connect?channel_id=" + channel
                        + "&last_event_id=earliest", SseClient.options())) {
                    List<String> all = streamIds(cluster, stream);
                    assertEquals(all, replay.awaitMessages(all.size(), WAIT).stream().map(SseClient.Event::id).toList(),
                            "everything stored replays from " + gateway.port());
                }
            }
        }
    }

    @Test
    @Order(4)
    void whenTheNodeHoldingTheSubscriptionsHangs_bothInstancesSubscribeOnAnotherAndDeliverAgain() throws Exception {
        cluster.awaitAllOk();
        RedisServer subscribedOn = cluster.nodes().stream()
                .filter(node -> ((String) node.command("CLIENT", "LIST")).contains("psub=1")).findFirst().orElseThrow();
        String channel;
        do {
            channel = "resubscribe-" + UUID.randomUUID();
        } while (cluster.masterOf("sse:stream:{" + channel + "}") == subscribedOn);
        String target = channel;
        try (SseClient onA = SseClient.subscribe(a.port(), target); SseClient onB = SseClient.subscribe(b.port(), target)) {
            SseClient.awaitCondition(() -> a.connections().channelConnectionCount(target) == 1
                    && b.connections().channelConnectionCount(target) == 1, WAIT, () -> "not registered");
            cluster.pause(subscribedOn);
            try {
                // Pub/Sub keeps nothing for absent subscribers: send until both instances deliver again
                SseClient.awaitCondition(() -> {
                    Http.sendText(a.port(), target, "t", "again");
                    return !onA.messages().isEmpty() && !onB.messages().isEmpty();
                }, WAIT, () -> "delivery did not resume: A got " + onA.messages() + ", B got " + onB.messages());
            } finally {
                cluster.resume(subscribedOn);
            }
            cluster.awaitAllOk();
        }
    }

    @SuppressWarnings("unchecked")
    static List<String> streamIds(RedisCluster cluster, String stream) {
        List<Object> entries = (List<Object>) cluster.command(stream, "XRANGE", stream, "-", "+");
        return entries.stream().map(entry -> (String) ((List<Object>) entry).get(0)).toList();
    }

    /** The data field of every entry. */
    @SuppressWarnings("unchecked")
    static List<Object> datas(RedisCluster cluster, String stream) {
        List<Object> entries = (List<Object>) cluster.command(stream, "XRANGE", stream, "-", "+");
        List<Object> data = new ArrayList<>();
        for (Object entry : entries) {
            List<Object> fields = (List<Object>) ((List<Object>) entry).get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if ("data".equals(fields.get(i))) {
                    data.add(fields.get(i + 1));
                }
            }
        }
        return data;
    }
}
