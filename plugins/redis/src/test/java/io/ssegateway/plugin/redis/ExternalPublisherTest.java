package io.ssegateway.plugin.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the README promises external publishers, with two instances: the script ({@code redis-cli --eval} and
 * {@code EVALSHA}) stores once and every instance delivers the same id; a plain {@code PUBLISH} with an id is stored
 * once with one id; without an id it is delivered everywhere and stored nowhere; all of it in stream-id order.
 */
class ExternalPublisherTest extends GatewaysOnRedis {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The script as the zip ships it (in {@code scripts/}). */
    private static final Path SCRIPT = Path.of("src", "plugin", "scripts", "publish.lua");

    private static String freshChannel() {
        return "external-" + UUID.randomUUID();
    }

    @Test
    void theRedisCliRecipeStoresOnceAndEveryInstanceDeliversTheSameId() throws Exception {
        String channel = freshChannel();
        try (SseClient onA = SseClient.subscribe(a.port(), channel); SseClient onB = SseClient.subscribe(b.port(), channel)) {
            List<String> first = redisCliEval(channel, "order.created", "{\"total\":3}", "order-42");
            assertEquals("1", first.get(1), "stored: " + first);
            List<String> again = redisCliEval(channel, "order.created", "{\"total\":3}", "order-42");
            assertEquals(List.of(first.get(0), "0"), again, "a retry with the same id stores and publishes nothing");
            redisCliEval(channel, "marker", "end", "");

            for (SseClient client : List.of(onA, onB)) {
                List<SseClient.Event> events = client.awaitMessages(2, WAIT);
                assertEquals("order.created", events.get(0).type());
                assertEquals("{\"total\":3}", events.get(0).data());
                assertEquals(first.get(0), events.get(0).id());
                assertEquals("marker", events.get(1).type(), "the retry was not delivered again: " + events);
            }
            assertEquals(2L, redis.command("XLEN", "sse:stream:" + channel));
        }
    }

    @Test
    void evalshaAfterScriptLoadWorksTheSame() throws Exception {
        String channel = freshChannel();
        String sha = (String) redis.command("SCRIPT", "LOAD", Files.readString(SCRIPT));
        try (SseClient onB = SseClient.subscribe(b.port(), channel)) {
            List<?> reply = (List<?>) redis.command("EVALSHA", sha, "2", "sse:stream:" + channel, "sse:ids:" + channel,
                    "sse:" + channel, "greeting", "hello", "", "1000", "3600000");
            SseClient.Event event = onB.awaitMessages(1, WAIT).get(0);
            assertEquals(reply.get(0), event.id());
            assertEquals("hello", event.data());
        }
    }

    @Test
    void aPlainPublishWithAnIdIsStoredOnceAndHasOneIdEverywhere() throws Exception {
        String channel = freshChannel();
        try (SseClient onA = SseClient.subscribe(a.port(), channel); SseClient onB = SseClient.subscribe(b.port(), channel)) {
            redis.command("PUBLISH", "sse:" + channel, "{\"event_type\": \"t\", \"data\": \"plain\", \"id\": \"p-1\"}");
            SseClient.Event onFirst = onA.awaitMessages(1, WAIT).get(0);
            SseClient.Event onSecond = onB.awaitMessages(1, WAIT).get(0);
            assertEquals(onFirst, onSecond);
            assertEquals(List.of(onFirst.id()), RedisFixtures.streamIds(redis, "sse:stream:" + channel));
            assertEquals(onFirst.id(), redis.command("HGET", "sse:ids:" + channel, "p-1"));
            Http.publish(a.port(), channel, "after", "x");
            assertEquals("after", onA.awaitMessages(2, WAIT).get(1).type(), "delivered once: " + onA.messages());
        }
    }

    @Test
    void aPlainPublishWithoutAnIdIsDeliveredEverywhereAndStoredNowhere() throws Exception {
        String channel = freshChannel();
        try (SseClient onA = SseClient.subscribe(a.port(), channel); SseClient onB = SseClient.subscribe(b.port(), channel)) {
            redis.command("PUBLISH", "sse:" + channel, "{\"event_type\": \"t\", \"data\": \"ephemeral\"}");
            for (SseClient client : List.of(onA, onB)) {
                SseClient.Event event = client.awaitMessages(1, WAIT).get(0);
                assertEquals("ephemeral", event.data());
                assertNull(event.id());
            }
            assertEquals(0L, redis.command("EXISTS", "sse:stream:" + channel));
        }
    }

    @Test
    void scriptPlainAndApiPublishesInterleavedStayInIdOrderOnEveryInstance() throws Exception {
        String channel = freshChannel();
        int rounds = 15;
        String sha = (String) redis.command("SCRIPT", "LOAD", Files.readString(SCRIPT));
        try (SseClient onA = SseClient.subscribe(a.port(), channel); SseClient onB = SseClient.subscribe(b.port(), channel)) {
            for (int i = 0; i < rounds; i++) {
                redis.command("PUBLISH", "sse:" + channel, "{\"event_type\": \"plain\", \"data\": \"p" + i + "\", \"id\": \"plain-" + i + "\"}");
                redis.command("EVALSHA", sha, "2", "sse:stream:" + channel, "sse:ids:" + channel, "sse:" + channel,
                        "script", "s" + i, "script-" + i, "1000", "3600000");
                Http.publish((i % 2 == 0 ? a : b).port(), channel, "api", "a" + i);
            }
            List<SseClient.Event> seenOnA = onA.awaitMessages(3 * rounds, WAIT);
            List<SseClient.Event> seenOnB = onB.awaitMessages(3 * rounds, WAIT);
            assertEquals(seenOnA, seenOnB);
            List<String> ids = seenOnA.stream().map(SseClient.Event::id).toList();
            for (int i = 1; i < ids.size(); i++) {
                assertTrue(MultiInstanceTest.compareStreamIds(ids.get(i - 1), ids.get(i)) < 0, "delivered in id order: " + ids);
            }
            assertEquals(RedisFixtures.streamIds(redis, "sse:stream:" + channel), ids, "stored once each, in that order");
            // and a client that reconnects anywhere with any of those ids misses nothing and repeats nothing
            String middle = ids.get(ids.size() / 2);
            try (SseClient replay = SseClient.connect(b.port(), "/sse/connect?channel_id=" + channel,
                    SseClient.options().header("Last-Event-ID", middle))) {
                List<SseClient.Event> rest = replay.awaitMessages(ids.size() - ids.size() / 2 - 1, WAIT);
                assertEquals(ids.subList(ids.size() / 2 + 1, ids.size()), rest.stream().map(SseClient.Event::id).toList());
            }
        }
    }

    /** Runs the README's recipe: {@code redis-cli --eval scripts/publish.lua …}; returns its output lines. */
    private List<String> redisCliEval(String channel, String eventType, String data, String id) throws Exception {
        String cli = System.getenv().getOrDefault("REDIS_CLI", "redis-cli");
        Process process = new ProcessBuilder(cli, "-p", Integer.toString(redis.port()), "--eval", SCRIPT.toString(),
                "sse:stream:" + channel, "sse:ids:" + channel, ",", "sse:" + channel, eventType, data, id, "1000", "3600000")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("redis-cli failed: " + output);
        }
        List<String> lines = new ArrayList<>(output.lines().toList());
        assertEquals(2, lines.size(), "redis-cli output: " + output);
        return lines;
    }
}
