package io.ssegateway.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SendBodyTest {

    private static SendBody parse(String json) {
        return SendBody.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(String json) {
        return assertThrows(IllegalArgumentException.class, () -> parse(json), json).getMessage();
    }

    @Test
    void theMembersAreReadAndDataIsTextOrCompactJson() {
        assertEquals(new SendBody("u1", "t", "{\"n\":[1,2.5,-0.0,1.0E300,true,null,\"café\"],\"o\":{}}", "n-1"),
                parse("{\"channel_id\": \"u1\", \"event_type\": \"t\", \"id\": \"n-1\", "
                        + "\"data\": {\"n\": [1, 2.5, -0.0, 1e300, true, null, \"caf\\u00e9\"], \"o\" : {}}, \"extra\": 1}"));
        assertEquals(new SendBody(null, "t", "plain text", null),
                parse("{\"channel_id\": null, \"event_type\": \"t\", \"data\": \"plain text\", \"id\": null}"));
        assertEquals(new SendBody(null, "t", "42", null), parse("{\"event_type\": \"t\", \"data\": 42}"));
        assertEquals("null", parse("{\"event_type\": \"t\", \"data\": null}").data());
    }

    @Test
    void eachWrongOrMissingMemberIsNamed() {
        assertEquals("channel_id must be a string or null (a broadcast)",
                refusal("{\"channel_id\": 5, \"event_type\": \"t\", \"data\": 1}"));
        assertEquals("event_type must be a string", refusal("{\"event_type\": [\"t\"], \"data\": 1}"));
        assertEquals("missing field event_type", refusal("{\"event_type\": null, \"data\": 1}"));
        assertEquals("missing field data", refusal("{\"event_type\": \"t\"}"));
        assertEquals("id must be a string", refusal("{\"event_type\": \"t\", \"data\": 1, \"id\": 7}"));
        assertTrue(refusal("{\"event_type\": \"t\", \"data\": 1} {}").startsWith("malformed JSON"));
        assertTrue(refusal("{\"event_type\": \"t\", \"data\": \"\\ud800\"}").contains("surrogate"));
    }
}
