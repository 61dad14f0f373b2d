package io.ssegateway.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChannelIdsTest {

    @Test
    void ordinaryIdsAreFine() {
        for (String id : new String[] {"user-42", "team/7 ü+", "a", "room:🎉", "x".repeat(256), "€".repeat(85) + "a",
                "😀".repeat(64), "with space", "\u2028line separator is not a control character"}) {
            assertNull(ChannelIds.problem(id), id);
        }
    }

    @Test
    void emptyOrMissingIsRefused() {
        assertEquals("channel_id must not be empty", ChannelIds.problem(""));
        assertEquals("channel_id must not be empty", ChannelIds.problem(null));
    }

    @Test
    void controlCharactersAreRefused_C0_DEL_andC1() {
        for (char control : new char[] {'\u0000', '\t', '\n', '\r', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f'}) {
            assertEquals("channel_id must not contain control characters", ChannelIds.problem("a" + control + "b"),
                    "U+" + Integer.toHexString(control));
        }
    }

    @Test
    void theLimitIs256BytesOfUtf8NotCharacters() {
        assertNull(ChannelIds.problem("x".repeat(256)));
        assertEquals("channel_id is longer than 256 bytes", ChannelIds.problem("x".repeat(257)));
        assertNull(ChannelIds.problem("€".repeat(85) + "a"), "255 + 1 bytes");
        assertEquals("channel_id is longer than 256 bytes", ChannelIds.problem("€".repeat(85) + "é"), "255 + 2 bytes");
        assertNull(ChannelIds.problem("😀".repeat(64)), "64 × 4 bytes");
        assertEquals("channel_id is longer than 256 bytes", ChannelIds.problem("😀".repeat(64) + "a"));
    }

    @Test
    void loneSurrogatesAreRefusedWhereverTheyStand() {
        for (String id : new String[] {"\ud800", "a\ud800", "\udc00a", "a\udfffb", "\udc00\ud800", "😀\ud83d",
                "\ud83d".repeat(300)}) {
            assertTrue(ChannelIds.problem(id).contains("not valid Unicode"), ChannelIds.problem(id));
        }
    }

    @Test
    void agreesWithTheRuleOnRandomStrings() {
        OddStrings strings = new OddStrings(OddStrings.SEED);
        int valid = 0;
        for (int i = 0; i < 20_000; i++) {
            String id = strings.next(i % 2 == 0 ? 8 : 120);
            String problem = ChannelIds.problem(id);
            boolean expected = reference(id);
            assertEquals(expected, problem == null, "seed " + OddStrings.SEED + ", case " + i + ": " + escape(id)
                    + " → " + problem);
            valid += expected ? 1 : 0;
        }
        assertTrue(valid > 1000, "the generator produced valid ids too: " + valid);
    }

    /** The rule written differently: strict UTF-8 encoding decides well-formedness and length. */
    private static boolean reference(String id) {
        if (id.isEmpty() || id.codePoints().anyMatch(Character::isISOControl)) {
            return false;
        }
        try {
            ByteBuffer utf8 = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(id));
            return utf8.remaining() <= 256;
        } catch (CharacterCodingException loneSurrogate) {
            return false;
        }
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return out.toString();
    }
}
