package io.ssegateway.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

    private static ObjectNode parse(String json) {
        return StrictJson.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The refusal message of {@code json}, which must contain {@code fragment}. */
    private static void assertRefused(String json, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(json), json);
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should mention '" + fragment + "'");
    }

    @Test
    void anObjectIsReadAsItIs() {
        ObjectNode body = parse("{\"channel_id\": \"u1\", \"data\": {\"n\": [1, 2.5, -0.0, 1e300, true, null]}, "
                + "\"text\": \"caf\\u00e9 😀 \\ud83d\\ude00\"}");
        assertEquals("u1", body.get("channel_id").textValue());
        assertEquals("{\"n\":[1,2.5,-0.0,1.0E300,true,null]}", body.get("data").toString());
        assertEquals("café 😀 😀", body.get("text").textValue());
    }

    @Test
    void onlyOneObjectAndNothingAfterIt() {
        assertRefused("{} {}", "malformed JSON");
        assertRefused("{\"a\": 1} x", "malformed JSON");
        assertRefused("{\"a\": 1", "malformed JSON");
        assertRefused("[1, 2]", "must be a JSON object");
        assertRefused("\"text\"", "must be a JSON object");
        assertRefused("null", "must be a JSON object");
        assertRefused("", "must be a JSON object");
        assertRefused("   ", "must be a JSON object");
    }

    @Test
    void duplicateMembersAreRefusedAtEveryLevel() {
        assertRefused("{\"a\": 1, \"a\": 2}", "Duplicate");
        assertRefused("{\"data\": {\"x\": 1, \"x\": 1}}", "Duplicate");
        assertEquals(2, parse("{\"a\": {\"x\": 1}, \"b\": {\"x\": 1}}").size(), "the same name in two objects is fine");
    }

    @Test
    void nonFiniteNumbersAndHugeExponentsAreRefused() {
        assertRefused("{\"n\": NaN}", "malformed JSON");
        assertRefused("{\"n\": Infinity}", "malformed JSON");
        assertRefused("{\"n\": -Infinity}", "malformed JSON");
        assertRefused("{\"n\": 1e400}", "out of range");
        assertRefused("{\"n\": [-1e999999999]}", "out of range");
        assertRefused("{\"n\": {\"deep\": 17976931348623159e292}}", "out of range");
        assertEquals("1.7976931348623157E308", parse("{\"n\": 1.7976931348623157e308}").get("n").toString());
        assertEquals("1" + "0".repeat(400), parse("{\"n\": 1" + "0".repeat(400) + "}").get("n").toString(),
                "a long integer is exact, not a double");
        assertRefused("{\"n\": 1" + "0".repeat(StrictJson.MAX_NUMBER_LENGTH) + "}", "beyond the limits");
    }

    @Test
    void loneSurrogatesAreRefusedInValuesAndNames() {
        assertRefused("{\"t\": \"\\ud800\"}", "not valid Unicode");
        assertRefused("{\"t\": \"a\\udc00b\"}", "not valid Unicode");
        assertRefused("{\"t\": [\"ok\", {\"x\": \"\\ude00\\ud83d\"}]}", "not valid Unicode");
        assertRefused("{\"\\ud800\": 1}", "not valid Unicode");
        assertEquals("😀", parse("{\"t\": \"\\ud83d\\ude00\"}").get("t").textValue());
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        for (byte[] body : new byte[][] {
                {'{', '"', 't', '"', ':', '"', (byte) 0xC3, '"', '}'},
                {'{', '"', 't', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'},
                {'{', '"', 't', '"', ':', '"', (byte) 0xFF, '"', '}'},
                {(byte) 0xFE, (byte) 0xFF, 0, '{', 0, '}'}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrictJson.parseObject(body));
            assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
        }
    }

    @Test
    void nestingIsLimited() {
        int depth = StrictJson.MAX_NESTING_DEPTH;
        String deepest = "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
        assertEquals(1, parse(deepest).size());
        assertRefused("{\"a\":".repeat(depth) + "{}" + "}".repeat(depth), "beyond the limits");
        assertRefused("{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}", "beyond the limits");
    }

    @Test
    void stringsAreLimited() {
        String longest = "x".repeat(StrictJson.MAX_STRING_LENGTH);
        assertEquals(StrictJson.MAX_STRING_LENGTH, parse("{\"t\":\"" + longest + "\"}").get("t").textValue().length());
        assertRefused("{\"t\":\"" + longest + "x\"}", "beyond the limits");
    }

    @Test
    void optionalStringsAreTextOrAbsent() {
        ObjectNode body = parse("{\"s\": \"x\", \"n\": null, \"i\": 7, \"o\": {}}");
        assertEquals("x", StrictJson.optionalString(body, "s"));
        assertNull(StrictJson.optionalString(body, "n"));
        assertNull(StrictJson.optionalString(body, "missing"));
        assertEquals("i must be a string", assertThrows(IllegalArgumentException.class,
                () -> StrictJson.optionalString(body, "i")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> StrictJson.optionalString(body, "o"));
    }

    @Test
    void jsonContentTypes() {
        for (String json : new String[] {"application/json", "Application/JSON", "application/json; charset=utf-8",
                " application/json ;", "application/merge-patch+json", "application/vnd.api+json"}) {
            assertTrue(StrictJson.isJsonContentType(json), json);
        }
        for (String other : new String[] {null, "", "text/plain", "text/json", "application/jsonp", "application/x-json+xml",
                "json", "multipart/form-data"}) {
            assertFalse(StrictJson.isJsonContentType(other), String.valueOf(other));
        }
    }

    @Test
    void anyBytesEitherParseOrAreRefusedWithIllegalArgument() {
        OddStrings strings = new OddStrings(OddStrings.SEED);
        String[] tokens = {"{", "}", "[", "]", ",", ":", "\"a\"", "\"\\ud800\"", "\"\\u00e9\"", "1e999", "-0", "1.5",
                "true", "null", "NaN", " ", "\"", "\\"};
        for (int i = 0; i < 30_000; i++) {
            byte[] body;
            if (i % 3 == 0) {
                body = strings.bytes(strings.nextInt(40));
            } else {
                StringBuilder json = new StringBuilder("{");
                for (int piece = strings.nextInt(16); piece > 0; piece--) {
                    json.append(strings.nextInt(3) == 0 ? strings.next(2) : tokens[strings.nextInt(tokens.length)]);
                }
                body = json.toString().getBytes(StandardCharsets.UTF_8);
            }
            try {
                ObjectNode parsed = StrictJson.parseObject(body);
                assertTrue(Unicode.isWellFormed(parsed.toString()), "case " + i);
                assertFalse(parsed.toString().contains("Infinity") && !new String(body, StandardCharsets.UTF_8)
                        .contains("Infinity"), "case " + i + ": written back as JSON");
            } catch (IllegalArgumentException refused) {
                // the only allowed failure
            }
        }
    }
}
