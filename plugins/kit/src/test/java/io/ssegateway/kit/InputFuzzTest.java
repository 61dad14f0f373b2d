package io.ssegateway.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Property-based tests of what strangers can send: query strings, channel ids and JSON bodies. Whatever comes in is
 * either accepted, and then means exactly what was sent, or refused with an {@link IllegalArgumentException} (a 400),
 * never another exception (a 500).
 */
class InputFuzzTest {

    /** Characters that make parsers stumble: escapes, separators, controls, surrogates, multi-byte text. */
    @Provide
    Arbitrary<String> hostileText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().withChars("%&=+;#?\"\\{}[]:,\u0000\r\n \u00e9\ud83d\ude00\ud800\udc00").ofMaxLength(40),
                Arbitraries.strings().withChars("%0123456789abcdefABCDEFzZ").ofMaxLength(30));
    }

    @Property(tries = 2000)
    void aQueryStringParsesOrIsRefusedAsBadInput(@ForAll("hostileText") String rawQuery) {
        try {
            QueryParams.parse(rawQuery);
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank());
        }
    }

    @Property(tries = 1000)
    void anEncodedQueryReadsBackExactly(@ForAll("wellFormed") String name, @ForAll("wellFormed") String value) {
        String raw = "x=1&" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
        QueryParams params = QueryParams.parse(raw);
        if (!name.isEmpty()) {
            assertEquals(value, params.all(name).get(params.all(name).size() - 1));
        }
    }

    @Provide
    Arbitrary<String> wellFormed() {
        return Arbitraries.strings().all().ofMaxLength(30).filter(Unicode::isWellFormed);
    }

    @Property(tries = 2000)
    void aChannelIdIsJudgedWithoutThrowing(@ForAll("hostileText") String channelId) {
        String problem = ChannelIds.problem(channelId);
        if (problem == null) {
            // accepted ids are well-formed, bounded and free of line breaks and NUL: safe in a frame, a log, a key
            assertTrue(Unicode.isWellFormed(channelId) && !channelId.isEmpty(), channelId);
            assertTrue(channelId.getBytes(StandardCharsets.UTF_8).length <= ChannelIds.MAX_BYTES);
            assertTrue(channelId.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0), channelId);
        }
    }

    @Property(tries = 2000)
    void anyBodyIsAnObjectOrABadRequest(@ForAll("jsonish") String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        ObjectNode parsed;
        try {
            parsed = StrictJson.parseObject(body);
        } catch (IllegalArgumentException refused) {
            return;
        }
        // what is accepted is written back as JSON that reads the same
        assertEquals(parsed, StrictJson.parseObject(parsed.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Property(tries = 500)
    void bytesThatAreNotUtf8AreABadRequest(@ForAll @Size(max = 60) byte[] body) {
        try {
            StrictJson.parseObject(body);
        } catch (IllegalArgumentException refused) {
            // fine
        }
    }

    /** Text shaped like JSON bodies: fragments of valid members glued with noise. */
    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> fragment = Arbitraries.oneOf(
                Arbitraries.of("{", "}", "[", "]", ",", ":", "\"channel_id\"", "\"event_type\"", "\"data\"", "\"id\"",
                        "null", "true", "1e999999999", "-0", "1.5e300", "NaN", "\"\\ud800\"", "\"\\u0000\"", "\"a\"",
                        "\"\\n\"", "//", "/*", "'x'", " ", "\u00e9", "\ud83d\ude00"),
                Arbitraries.strings().all().ofMaxLength(5));
        Arbitrary<String> noise = fragment.list().ofMaxSize(25).map(parts -> String.join("", parts));
        Arbitrary<String> valid = Combinators.combine(hostileText(), hostileText(), hostileText())
                .as((channel, type, data) -> StrictJson.object().put("channel_id", channel).put("event_type", type)
                        .put("data", data).toString());
        return Arbitraries.oneOf(noise, valid, Combinators.combine(valid, noise).as(String::concat),
                noise.map(n -> "{" + n + "}"));
    }

    @Property(tries = 300)
    void aMapOfStringsSurvivesTheRoundTrip(@ForAll Map<@net.jqwik.api.constraints.StringLength(max = 10) String,
            @net.jqwik.api.constraints.StringLength(max = 20) String> members) {
        ObjectNode object = StrictJson.object();
        members.forEach(object::put);
        byte[] body = object.toString().getBytes(StandardCharsets.UTF_8);
        boolean wellFormed = members.entrySet().stream()
                .allMatch(e -> Unicode.isWellFormed(e.getKey()) && Unicode.isWellFormed(e.getValue()));
        try {
            assertEquals(object, StrictJson.parseObject(body));
            assertTrue(wellFormed, "a lone surrogate was accepted");
        } catch (IllegalArgumentException refused) {
            assertTrue(!wellFormed, refused.getMessage());
        }
    }
}
