package io.ssegateway.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PercentDecoderTest {

    @Test
    void escapesAreUtf8_andPlusDependsOnThePart() {
        assertEquals("team/7 ü+", PercentDecoder.decodePathSegment("team%2F7%20%C3%BC+"));
        assertEquals("team/7 ü ", PercentDecoder.decodeQueryComponent("team%2F7+%c3%bc%20"));
        assertEquals("😀", PercentDecoder.decodePathSegment("%F0%9F%98%80"));
        assertEquals("plain", PercentDecoder.decodePathSegment("plain"));
        assertEquals("é", PercentDecoder.decodePathSegment("é"), "a literal non-ASCII character is taken as it is");
    }

    @Test
    void malformedEscapesAreRefused() {
        for (String raw : new String[] {"%", "a%", "%4", "%zz", "%z1", "%1z", "%%41", "%-1", "%+1", "% 1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PercentDecoder.decodePathSegment(raw), raw);
            assertTrue(e.getMessage().contains("two hex digits"), e.getMessage());
        }
    }

    @Test
    void escapedBytesThatAreNotUtf8AreRefused() {
        for (String raw : new String[] {"%C3", "%C3%28", "%80", "%FF", "%C0%AF", "%E0%80%AF", "%ED%A0%80", "%ED%BF%BF",
                "%F4%90%80%80", "%F0%9F%98", "a%C3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PercentDecoder.decodeQueryComponent(raw), raw);
            assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
        }
    }

    @Test
    void aLoneSurrogateInTheRawTextIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PercentDecoder.decodePathSegment("a\ud800"));
        assertThrows(IllegalArgumentException.class, () -> PercentDecoder.decodePathSegment("\udc00%41"));
    }

    @Test
    void whatUrlEncoderWritesDecodesBackToTheOriginal() {
        OddStrings strings = new OddStrings(OddStrings.SEED);
        int checked = 0;
        for (int i = 0; i < 20_000; i++) {
            String original = strings.next(30);
            if (!Unicode.isWellFormed(original)) {
                continue;
            }
            String encoded = URLEncoder.encode(original, StandardCharsets.UTF_8);
            assertEquals(original, PercentDecoder.decodeQueryComponent(encoded), "seed " + OddStrings.SEED + ", case " + i);
            assertEquals(original, PercentDecoder.decodePathSegment(encoded.replace("+", "%20")));
            checked++;
        }
        assertTrue(checked > 5_000, "well-formed cases: " + checked);
    }

    @Test
    void anyInputEitherDecodesOrIsRefusedWithIllegalArgument() {
        OddStrings strings = new OddStrings(OddStrings.SEED + 1);
        String[] escapes = {"%", "%4", "%41", "%C3", "%BC", "%ED", "%A0", "%F0", "%9F", "%zz", "%FF", "+"};
        for (int i = 0; i < 50_000; i++) {
            StringBuilder raw = new StringBuilder();
            for (int piece = strings.nextInt(12); piece > 0; piece--) {
                raw.append(strings.nextInt(2) == 0 ? escapes[strings.nextInt(escapes.length)] : strings.next(2));
            }
            try {
                String decoded = PercentDecoder.decodeQueryComponent(raw.toString());
                assertTrue(Unicode.isWellFormed(decoded), "decoded text is well-formed: case " + i);
            } catch (IllegalArgumentException refused) {
                // the only allowed failure
            }
        }
    }
}
