package io.ssegateway.host.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonTextTest {

    private static final ObjectMapper JACKSON = new ObjectMapper();

    @Test
    void stringsAreQuotedExactlyAsJacksonQuotesThem() throws Exception {
        StringBuilder every = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            every.append(c);
        }
        for (String value : new String[] {"", "plain", "a\"b\\c", "line1\nline2\r\n\t\b\f", every.toString(),
                "é ü 🚀 \u2028 \u007f /"}) {
            assertEquals(JACKSON.writeValueAsString(value), JsonText.quote(new StringBuilder(), value).toString(), value);
        }
        assertEquals("null", JsonText.quote(new StringBuilder(), null).toString());
    }

    @Test
    void aGapIsTheJsonJacksonWouldWrite() throws Exception {
        assertEquals(JACKSON.createObjectNode().put("last_event_id", "1-0").putNull("earliest_id").toString(),
                JsonText.gap(null, "1-0", null));
        assertEquals(JACKSON.createObjectNode().put("channel", "c\"1").put("last_event_id", "x").put("earliest_id", "2-0")
                .toString(), JsonText.gap("c\"1", "x", "2-0"));
    }
}
