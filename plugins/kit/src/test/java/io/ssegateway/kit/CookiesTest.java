package io.ssegateway.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CookiesTest {

    @Test
    void findsTheFirstCookieOfThatNameAcrossHeaders() {
        List<String> headers = List.of("theme=dark; session=\"s-42\"", "other=1; session=later; sse_token=a.b.c");
        assertEquals(Optional.of("s-42"), Cookies.value(headers, "session"));
        assertEquals(Optional.of("dark"), Cookies.value(headers, "theme"));
        assertEquals(Optional.of("a.b.c"), Cookies.value(headers, "sse_token"));
        assertEquals(Optional.empty(), Cookies.value(headers, "Theme"));
        assertEquals(Optional.empty(), Cookies.value(headers, "sse"));
        assertEquals(Optional.empty(), Cookies.value(List.of(), "theme"));
        assertEquals(Optional.of(""), Cookies.value(List.of("empty="), "empty"));
    }
}
