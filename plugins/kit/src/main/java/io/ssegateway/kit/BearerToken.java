package io.ssegateway.kit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A configured secret that requests present as {@code Authorization: Bearer <token>}. Both sides are trimmed; the
 * scheme is case-insensitive. The comparison takes the same time whatever the presented value (both are hashed to
 * SHA-256 first, so neither the content nor the length of the secret leaks through timing).
 */
public final class BearerToken {

    private static final String SCHEME = "Bearer ";

    private final byte[] digest;

    private BearerToken(byte[] digest) {
        this.digest = digest;
    }

    /**
     * @param configured the secret, as configured (trimmed here, as {@link String#trim} does: spaces and control
     *                   characters at either end)
     * @throws IllegalArgumentException {@code configured} is {@code null} or blank once trimmed: it would protect nothing
     */
    public static BearerToken of(String configured) {
        String token = configured == null ? "" : configured.trim();
        if (token.isBlank()) {
            throw new IllegalArgumentException("a bearer token must not be blank");
        }
        return new BearerToken(sha256(token));
    }

    /** Whether the value of an {@code Authorization} header ({@code null} if absent) carries this token. */
    public boolean matches(String authorization) {
        String presented = presented(authorization);
        // hashed even when absent, so that a request without the header takes as long as one with a wrong token
        boolean equal = MessageDigest.isEqual(digest, sha256(presented == null ? "" : presented));
        return presented != null && equal;
    }

    /**
     * The token of an {@code Authorization: Bearer <token>} header value, trimmed; {@code null} if the header is
     * absent or uses another scheme. For telling "no token" from "wrong token" in a reply.
     */
    public static String presented(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.trim();
        if (!value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        return value.substring(SCHEME.length()).trim();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
