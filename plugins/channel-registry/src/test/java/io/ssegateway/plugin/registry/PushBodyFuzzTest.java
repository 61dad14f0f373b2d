package io.ssegateway.plugin.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.kit.StrictJson;
import io.ssegateway.kit.Unicode;
import io.ssegateway.spi.source.IncomingMessage;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@code /push} and {@code /store} bodies, fuzzed: each is read into exactly the message it spells, or refused with an
 * {@link IllegalArgumentException} (the push API's 400), never another exception (a 500).
 */
class PushBodyFuzzTest {

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(12),
                Arbitraries.strings().withChars("\r\n\u0000:\"\\ \u00e9\ud800\udc00").ofMaxLength(12));
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> members = Combinators.combine(text(), text(), text(), text())
                .as((channel, type, data, id) -> StrictJson.object().put("channel_id", channel).put("event_type", type)
                        .put("data", data).put("id", id).toString());
        Arbitrary<String> noise = Arbitraries.strings().withChars("{}[]\",:0123456789eE.-+nultrfase\\u").ofMaxLength(50);
        return Arbitraries.oneOf(members, noise, Combinators.combine(members, noise).as(String::concat));
    }

    @Property(tries = 1000)
    void aBodyIsTheMessageItSpellsOrABadRequest(@ForAll("bodies") String body) {
        IncomingMessage message;
        try {
            message = PushRequest.parse(body.getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null);
            return;
        }
        var json = StrictJson.parseObject(body.getBytes(StandardCharsets.UTF_8));
        assertEquals(json.get("event_type").textValue(), message.eventType());
        assertTrue(Unicode.isWellFormed(message.data()) && Unicode.isWellFormed(message.eventType()));
        if (json.get("channel_id").isTextual()) {
            assertEquals(json.get("channel_id").textValue(), message.channelId());
        }
    }
}
