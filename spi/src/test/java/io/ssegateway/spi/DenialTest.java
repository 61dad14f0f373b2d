package io.ssegateway.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ssegateway.spi.auth.AuthRequest;
import io.ssegateway.spi.auth.Denial;
import io.ssegateway.spi.testkit.TestAuthRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DenialTest {

    @Test
    void headersAreAddedReplacedAndKeptImmutable() {
        Denial denial = Denial.denyJson(401, "{}").withHeader("WWW-Authenticate", "Bearer").withHeader("X-A", "1")
                .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        assertEquals(Map.of("WWW-Authenticate", "Bearer error=\"invalid_token\"", "X-A", "1"), denial.headers());
        assertEquals(Map.of(), Denial.deny(403, "no").headers());
        assertThrows(UnsupportedOperationException.class, () -> denial.headers().put("X", "y"));
    }

    @Test
    void aHeaderWithALineBreakIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Denial.deny(401, "x").withHeader("X-A", "1\r\nSet-Cookie: a=b"));
        assertThrows(IllegalArgumentException.class, () -> Denial.deny(401, "x").withHeader("X\nA", "1"));
    }

    @Test
    void aBroadcastPublishHasNoChannel() {
        AuthRequest broadcast = TestAuthRequest.publish().build();
        assertEquals(AuthRequest.Action.PUBLISH, broadcast.action());
        assertEquals(List.of(), broadcast.channelIds());
        assertEquals(null, broadcast.channelId());
        AuthRequest subscribe = TestAuthRequest.subscribe("a", "b").cookie("t", "1").cookie("u", "2").build();
        assertEquals(AuthRequest.Action.SUBSCRIBE, subscribe.action());
        assertEquals("a", subscribe.channelId());
        assertEquals("2", subscribe.cookie("u").orElseThrow());
        assertEquals(List.of("a"), List.of(subscribe.queryParam("channel_id").orElseThrow()));
    }
}
