package io.ssegateway.host.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.kit.StrictJson;
import io.ssegateway.spi.source.IncomingMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@code /api/send} fuzzed over HTTP: every body gets a 200 or a 4xx with a JSON error, never a 500; and a client
 * subscribed meanwhile receives exactly the events that were accepted for its channel (or broadcast), in order,
 * each exactly as sent: no body can corrupt the stream of another client.
 */
class SendFuzzTest {

    private static final Set<Integer> EXPECTED = Set.of(200, 400, 413, 415);
    private static Gateway gateway;
    private static SseClient witness;
    private static final List<String> ACCEPTED = new ArrayList<>();
    /** Channel and message id of every body sent with an {@code id}: see {@link #repeatsAMessageId}. */
    private static final Set<String> MESSAGE_IDS = new HashSet<>();

    @BeforeContainer
    static void start() throws Exception {
        gateway = TestGateways.builder().maxMessageBytes(2048).build().start();
        witness = SseClient.subscribe(gateway.port(), "fuzz");
    }

    @AfterContainer
    static void stop() {
        try {
            // the witness got exactly what was accepted for it, in order
            List<SseClient.Event> received = witness.awaitMessages(ACCEPTED.size(), Duration.ofSeconds(30));
            List<String> seen = received.stream().map(e -> e.type() + "\u0001" + e.data()).toList();
            assertEquals(ACCEPTED, seen.subList(0, ACCEPTED.size()));
            assertEquals(ACCEPTED.size(), witness.messages().size(), "events the witness should not have got");
        } finally {
            witness.close();
            gateway.stop();
        }
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(12),
                Arbitraries.strings().withChars("\r\n\u0000:\"\\ \u00e9\ud800\udc00\ud83d").ofMaxLength(12),
                Arbitraries.of("fuzz", "t", "message", "", "x".repeat(300)));
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<Object> channel = Arbitraries.oneOf(Arbitraries.just("fuzz"), Arbitraries.just((Object) null),
                text().map(t -> (Object) t), Arbitraries.just((Object) 7));
        Arbitrary<String> wellShaped = Combinators.combine(channel, text(), text(), text(), Arbitraries.integers().between(0, 4))
                .as((channelId, type, data, id, shape) -> {
                    var body = StrictJson.object();
                    if (channelId == null) {
                        body.putNull("channel_id");
                    } else if (channelId instanceof String s) {
                        body.put("channel_id", s);
                    } else {
                        body.put("channel_id", (Integer) channelId);
                    }
                    if (shape != 1) {
                        body.put("event_type", type);
                    }
                    switch (shape) {
                        case 2 -> body.putObject("data").put("k", data);
                        case 3 -> body.put("data", 1.5);
                        default -> body.put("data", data);
                    }
                    if (shape == 4) {
                        body.put("id", id);
                    }
                    return body.toString();
                });
        Arbitrary<String> noise = Arbitraries.strings().withChars("{}[]\",:0123456789eE.-+ntrufalsx\\u").ofMaxLength(40);
        return Arbitraries.oneOf(wellShaped, wellShaped, noise,
                Combinators.combine(wellShaped, noise).as(String::concat));
    }

    @Property(tries = 400)
    void everyBodyGetsAnAnswerAndOnlyAcceptedEventsReachTheWitness(@ForAll("bodies") String body) {
        Assume.that(!repeatsAMessageId(body));
        Http.Response response = Http.postJson(gateway.port(), "/api/send", body);
        assertTrue(EXPECTED.contains(response.status()), response.status() + " for " + body + ": " + response.body());
        JsonNode reply = response.json();
        if (response.status() != 200) {
            assertTrue(reply.get("error").isTextual(), response.body());
            return;
        }
        IncomingMessage message = AdminService.parseSend(body.getBytes(StandardCharsets.UTF_8));
        if (message.isBroadcast() || "fuzz".equals(message.channelId())) {
            synchronized (ACCEPTED) {
                ACCEPTED.add(message.eventType() + "\u0001" + message.data().replace("\r\n", "\n").replace('\r', '\n'));
            }
        }
    }

    /**
     * Whether {@code body} carries a message {@code id} already sent for its channel. Such a publish is a retry: the
     * storage answers with the stored event's id and a subscriber that has that id among its recent ones skips it, one
     * that does not gets it again (idempotency is the storage's, the exactly-once view a client's). That is covered
     * by the idempotency tests; here it would make the expected stream depend on the distance between the two sends.
     */
    private static boolean repeatsAMessageId(String body) {
        IncomingMessage message;
        try {
            message = AdminService.parseSend(body.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException refused) {
            return false;
        }
        return message.messageId() != null && !MESSAGE_IDS.add(message.channelId() + "\u0000" + message.messageId());
    }
}
