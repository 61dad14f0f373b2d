package io.ssegateway.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueryParamsTest {

    @Test
    void namesAndValuesAreDecoded_theFirstOfARepeatedNameCounts() {
        QueryParams query = QueryParams.parse("channel_id=team%2F7+%C3%BC&count=5&tag=a&tag=b&flag&empty=&&=x");
        assertEquals(Optional.of("team/7 ü"), query.first("channel_id"));
        assertEquals(Optional.of("5"), query.first("count"));
        assertEquals(Optional.of("a"), query.first("tag"));
        assertEquals(Optional.of(""), query.first("flag"));
        assertEquals(Optional.of(""), query.first("empty"));
        assertEquals(Optional.of("x"), query.first(""));
        assertEquals(Optional.empty(), query.first("missing"));
    }

    @Test
    void noQueryIsNoParameters() {
        assertEquals(Optional.empty(), QueryParams.parse(null).first("a"));
        assertEquals(Optional.empty(), QueryParams.parse("").first("a"));
        assertEquals(Optional.empty(), QueryParams.parse("&&").first("a"));
    }

    @Test
    void aMalformedQueryIsRefusedAsAWhole() {
        for (String raw : new String[] {"cursor=%zz", "a=1&b=%", "%C3%28=1", "count=%ED%A0%80", "x=\ud800"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QueryParams.parse(raw), raw);
            assertTrue(e.getMessage().startsWith("the query string is not"), e.getMessage());
        }
    }

    @Test
    void encodedPairsRoundTrip() {
        OddStrings strings = new OddStrings(OddStrings.SEED);
        for (int i = 0; i < 5_000; i++) {
            String name = strings.next(5);
            String value = strings.next(10);
            if (name.isEmpty() || !Unicode.isWellFormed(name) || !Unicode.isWellFormed(value)) {
                continue;
            }
            QueryParams query = QueryParams.parse(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(value, StandardCharsets.UTF_8) + "&other=1");
            assertEquals(Optional.of(value), query.first(name), "seed " + OddStrings.SEED + ", case " + i);
        }
    }
}
