package io.ssegateway.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BearerTokenTest {

    private final BearerToken token = BearerToken.of("s3cret-token");

    @Test
    void theConfiguredTokenIsAccepted_theSchemeInAnyCase_spacesAroundIgnored() {
        assertTrue(token.matches("Bearer s3cret-token"));
        assertTrue(token.matches("bearer s3cret-token"));
        assertTrue(token.matches("BEARER s3cret-token"));
        assertTrue(token.matches("Bearer   s3cret-token  "));
        assertTrue(token.matches("  Bearer s3cret-token"));
        assertTrue(BearerToken.of("  s3cret-token\t").matches("Bearer s3cret-token"), "the configured token is trimmed");
    }

    @Test
    void anythingElseIsRefused() {
        for (String header : new String[] {null, "", "Bearer", "Bearer ", "Bearer wrong", "Bearer s3cret-toke",
                "Bearer s3cret-tokenx", "Bearer S3CRET-TOKEN", "Basic s3cret-token", "s3cret-token", "Bearers3cret-token",
                "Bearer s3cret token", "Token s3cret-token"}) {
            assertFalse(token.matches(header), String.valueOf(header));
        }
    }

    @Test
    void aBlankConfiguredTokenIsRefused() {
        for (String blank : new String[] {null, "", " ", "\t\n", "\u0000", " \u001f "}) {
            assertThrows(IllegalArgumentException.class, () -> BearerToken.of(blank), String.valueOf(blank));
        }
    }

    @Test
    void presentedTellsAMissingTokenFromAWrongOne() {
        assertNull(BearerToken.presented(null));
        assertNull(BearerToken.presented("Basic abc"));
        assertNull(BearerToken.presented("Bearer "), "a scheme without a token is no token");
        assertEquals("abc", BearerToken.presented(" bearer  abc "));
    }

    @Test
    void randomTokensMatchThemselvesAndNoNeighbour() {
        OddStrings strings = new OddStrings(OddStrings.SEED);
        for (int i = 0; i < 2_000; i++) {
            String secret = strings.next(20);
            if (secret.trim().isBlank()) {
                continue;
            }
            BearerToken configured = BearerToken.of(secret);
            String context = "seed " + OddStrings.SEED + ", case " + i;
            assertTrue(configured.matches("Bearer " + secret), context);
            assertFalse(configured.matches("Bearer " + secret.trim() + "x"), context);
            assertFalse(configured.matches("Bearer x" + secret.trim()), context);
            assertFalse(configured.matches(secret), context + ": no scheme");
        }
    }
}
