package io.ssegateway.plugin.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelGrantTest {

    private static final Map<String, Object> CLAIMS = Map.of("sub", "alice", "org", Map.of("id", 42L),
            "star", "*", "empty", "", "list", List.of("x"));

    private static ChannelGrant grant(Object... patterns) {
        return ChannelGrant.of(List.of(patterns), CLAIMS);
    }

    @Test
    void exactIdsMatchOnlyThemselves() {
        ChannelGrant grant = grant("room-1", "news");
        assertTrue(grant.covers("room-1"));
        assertTrue(grant.covers("news"));
        assertFalse(grant.covers("room-10"));
        assertFalse(grant.covers("room-"));
        assertFalse(grant.covers("Room-1"));
        assertFalse(grant.grantsEverything());
    }

    @Test
    void wildcardsMatchAnyRun() {
        ChannelGrant grant = grant("room-*", "*-log", "a*b*c");
        assertTrue(grant.covers("room-1"));
        assertTrue(grant.covers("room-"));
        assertTrue(grant.covers("room-a-b"));
        assertTrue(grant.covers("audit-log"));
        assertTrue(grant.covers("abc"));
        assertTrue(grant.covers("a-b-b-c"));
        assertFalse(grant.covers("rooms-1"));
        assertFalse(grant.covers("user-1"));
        assertFalse(grant.covers("a-b-c-d"));
        assertFalse(grant.covers("audit-log2"));
    }

    @Test
    void aLoneStarGrantsEverything() {
        ChannelGrant grant = grant("*");
        assertTrue(grant.grantsEverything());
        assertTrue(grant.covers("anything at all"));
        assertFalse(grant("room-*").grantsEverything());
    }

    @Test
    void templatesTakeAnotherClaimsValueLiterally() {
        assertTrue(grant("user-{sub}").covers("user-alice"));
        assertFalse(grant("user-{sub}").covers("user-bob"));
        assertFalse(grant("user-{sub}").covers("user-{sub}"));
        assertTrue(grant("org-{org.id}-*").covers("org-42-billing"));
        assertFalse(grant("org-{org.id}-*").covers("org-43-billing"));
        // a claim's "*" is text, not a wildcard: a subject named "*" gets only the channel "user-*"
        assertTrue(grant("user-{star}").covers("user-*"));
        assertFalse(grant("user-{star}").covers("user-bob"));
    }

    @Test
    void aTemplateWithoutAUsableClaimGrantsNothing() {
        assertFalse(grant("user-{missing}").covers("user-"));
        assertFalse(grant("user-{empty}").covers("user-"));
        assertFalse(grant("user-{list}").covers("user-x"));
        assertFalse(grant("user-{org}").covers("user-{id=42}"));
        // the other patterns still count
        assertTrue(grant("user-{missing}", "news").covers("news"));
    }

    @Test
    void bracesThatOpenNoTemplateAreText() {
        assertTrue(grant("a{b").covers("a{b"));
        assertTrue(grant("a{}b").covers("a{}b"));
        assertTrue(grant("{ }").covers("{ }"));
    }

    @Test
    void theFirstChannelNotCoveredIsNamed() {
        ChannelGrant grant = grant("room-*", "user-{sub}");
        assertNull(grant.firstNotCovered(List.of("room-1", "user-alice")));
        assertEquals("user-bob", grant.firstNotCovered(List.of("room-1", "user-bob", "other")));
    }

    @Test
    void aStringIsOnePatternAndOtherShapesAreRefused() {
        assertTrue(ChannelGrant.of("room-*", CLAIMS).covers("room-2"));
        assertFalse(ChannelGrant.of(null, CLAIMS).covers("room-2"));
        assertThrows(IllegalArgumentException.class, () -> ChannelGrant.of(List.of("a", 1L), CLAIMS));
        assertThrows(IllegalArgumentException.class, () -> ChannelGrant.of(Map.of("a", "b"), CLAIMS));
        assertThrows(IllegalArgumentException.class,
                () -> ChannelGrant.of(Collections.nCopies(ChannelGrant.MAX_PATTERNS + 1, "a"), CLAIMS));
        assertThrows(IllegalArgumentException.class, () -> ChannelGrant.of(List.of("x".repeat(2000)), CLAIMS));
    }

    @Test
    void matchingStaysLinearishOnHostilePatterns() {
        ChannelGrant grant = grant("*a*a*a*a*a*a*a*a*a*b");
        long started = System.nanoTime();
        assertFalse(grant.covers("a".repeat(256)));
        assertTrue((System.nanoTime() - started) < 1_000_000_000L, "took too long");
    }
}
