package io.ssegateway.plugin.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssegateway.spi.PluginConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokensTest {

    private static final List<String> ODD = List.of("a.b", "a b", "*", ">", "sse.>", "~", "~abc", "ünïcödé", "🚀",
            "tab\there", "with/slash", "with:colon", "dot.", ".", "..", "x".repeat(256), "a\u00a0b", "-", "_");

    @Test
    void plainChannelIdsAreTheirOwnToken() {
        for (String channel : List.of("user-1", "Room_42", "abc", "0")) {
            assertEquals(channel, Tokens.subjectToken(channel));
            assertEquals(channel, Tokens.channelOf(channel));
        }
    }

    @Test
    void everyOtherChannelIdRoundTripsThroughATokenNatsAccepts() {
        for (String channel : ODD) {
            String token = Tokens.subjectToken(channel);
            assertTrue(token.matches("[A-Za-z0-9_~-]+"), channel + " -> " + token);
            assertEquals(channel, Tokens.channelOf(token), token);
        }
    }

    @Test
    void anEncodedTokenNeverEqualsAPlainOne() {
        // "~abc" is encoded, so the token "~abc" can only mean the channel whose UTF-8 is base64url "abc"
        assertNotEquals("~abc", Tokens.subjectToken("~abc"));
        assertEquals("~" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("a.b".getBytes()),
                Tokens.subjectToken("a.b"));
        // an encoded form of a plain id is not one the encoder makes: refused, so one channel has one subject
        assertNull(Tokens.channelOf("~" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("abc".getBytes())));
    }

    @Test
    void tokensTheEncoderDoesNotMakeAreRefused() {
        for (String token : List.of("", "a.b", "~!!", "~a", "a b", "ü", "~_w")) {
            assertNull(Tokens.channelOf(token), token);
        }
    }

    @Test
    void headerValuesAreAsciiAndRoundTrip() {
        for (String value : List.of("order.created", "message", "n-1", "a b", " lead", "ünï", "~x", "", "🚀", "x:y")) {
            String header = Tokens.headerValue(value);
            assertTrue(header.chars().allMatch(c -> c > ' ' && c < 127) || header.equals("~"), value + " -> " + header);
            assertEquals(value, Tokens.fromHeaderValue(header), header);
        }
        assertEquals("order.created", Tokens.headerValue("order.created"));
    }

    @Test
    void subjectsAreThePrefixAndOneToken() {
        NatsSettings settings = NatsSettings.from(PluginConfig.of("gateway.storage.nats", Map.of("subject-prefix", "app.sse")));
        assertEquals("app.sse.user-1", settings.subjectOf("user-1"));
        assertEquals("app.sse.>", settings.streamSubjects());
        for (String channel : ODD) {
            assertEquals(channel, settings.channelOf(settings.subjectOf(channel)));
        }
        assertNull(settings.channelOf("app.sse.a.b"), "two tokens are no channel");
        assertNull(settings.channelOf("app.sse."));
        assertNull(settings.channelOf("app.ssex.a"));
        assertNull(settings.channelOf("other.a"));
    }
}
