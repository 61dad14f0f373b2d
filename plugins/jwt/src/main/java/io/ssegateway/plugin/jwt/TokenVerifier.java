package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Checks a compact JWS token: well-formed, signed with an allowed algorithm by a key of the right type, and its
 * time and identity claims valid. Every refusal is a {@link TokenRejected} with a fixed description that never quotes
 * the token (nor the library's messages, which may).
 */
final class TokenVerifier {

    /** Longer tokens are refused before parsing: a cookie holds 4 KiB, an identity provider's token a few. */
    static final int MAX_TOKEN_CHARS = 16 * 1024;

    /** A token that checks out. */
    record Verified(Map<String, Object> claims, String subject, Instant expiresAt, String issuer) {
    }

    /** Why a token is refused: a description safe to send to the client and to log. */
    static final class TokenRejected extends Exception {
        TokenRejected(String description) {
            super(description, null, false, false);
        }
    }

    private final JwtSettings settings;
    private final StaticKeys staticKeys;
    /** {@code null} without a JWKS URL. */
    private final JwksKeys jwks;
    private final Clock clock;

    TokenVerifier(JwtSettings settings, StaticKeys staticKeys, JwksKeys jwks, Clock clock) {
        this.settings = settings;
        this.staticKeys = staticKeys;
        this.jwks = jwks;
        this.clock = clock;
    }

    boolean isAvailable() {
        return jwks == null || jwks.isAvailable() || !staticKeys.keys().isEmpty();
    }

    /**
     * @throws TokenRejected                      the token is invalid (401)
     * @throws KeySource.KeysUnavailableException no key could be loaded to check it with (503)
     */
    Verified verify(String token) throws TokenRejected, KeySource.KeysUnavailableException {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new TokenRejected("the token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new TokenRejected("the token is not a well-formed JWT");
        }
        if (jwt instanceof PlainJWT) {
            throw new TokenRejected("unsigned tokens (alg none) are refused");
        }
        if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
            throw new TokenRejected("encrypted tokens are not supported; send a signed one");
        }
        JWSHeader header = signed.getHeader();
        JWSAlgorithm alg = header.getAlgorithm();
        if (!settings.algorithms().contains(alg)) {
            throw new TokenRejected("the token's algorithm is not allowed");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw new TokenRejected("the token has critical header parameters this gateway does not understand");
        }
        List<VerificationKey> keys = keysFor(alg, header.getKeyID());
        if (keys.isEmpty()) {
            throw new TokenRejected(header.getKeyID() != null ? "no key has the token's key id (kid)"
                    : "no key fits the token's algorithm");
        }
        if (!signatureMatches(signed, keys)) {
            throw new TokenRejected("the token's signature does not verify");
        }
        JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenRejected("the token's claims are malformed");
        }
        return checkClaims(claims);
    }

    private List<VerificationKey> keysFor(JWSAlgorithm alg, String kid) throws KeySource.KeysUnavailableException {
        List<VerificationKey> keys = new ArrayList<>(staticKeys.keysFor(alg, kid));
        if (jwks != null && !JwtSettings.HMAC.contains(alg)) {
            try {
                keys.addAll(jwks.keysFor(alg, kid));
            } catch (KeySource.KeysUnavailableException e) {
                if (keys.isEmpty()) {
                    throw e;
                }
            }
        }
        return keys;
    }

    private static boolean signatureMatches(SignedJWT signed, List<VerificationKey> keys) {
        for (VerificationKey key : keys) {
            try {
                if (key.verifier().verify(signed.getHeader(), signed.getSigningInput(), signed.getSignature())) {
                    return true;
                }
            } catch (JOSEException e) {
                // a key that cannot verify this token (wrong size, say): try the next
            }
        }
        return false;
    }

    private Verified checkClaims(JWTClaimsSet claims) throws TokenRejected {
        Instant now = clock.instant();
        Duration skew = settings.clockSkew();
        Date exp;
        Date nbf;
        Date iat;
        try {
            exp = claims.getExpirationTime();
            nbf = claims.getNotBeforeTime();
            iat = claims.getIssueTime();
        } catch (RuntimeException e) {
            throw new TokenRejected("the token's time claims (exp, nbf, iat) must be numbers of seconds");
        }
        if (exp == null && settings.requireExp()) {
            throw new TokenRejected("the token has no expiry (exp)");
        }
        Instant expiresAt = exp == null ? null : exp.toInstant().plus(skew);
        if (expiresAt != null && !now.isBefore(expiresAt)) {
            throw new TokenRejected("the token has expired");
        }
        if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
            throw new TokenRejected("the token is not valid yet (nbf)");
        }
        if (iat != null && now.plus(skew).isBefore(iat.toInstant())) {
            throw new TokenRejected("the token was issued in the future (iat)");
        }
        String issuer;
        String subject;
        List<String> audience;
        try {
            issuer = claims.getIssuer();
            subject = claims.getSubject();
            audience = claims.getAudience();
        } catch (RuntimeException e) {
            throw new TokenRejected("the token's iss, sub or aud claim is malformed");
        }
        if (settings.issuer() != null && !settings.issuer().equals(issuer)) {
            throw new TokenRejected("the token's issuer (iss) is not the one this gateway accepts");
        }
        if (!settings.audiences().isEmpty() && settings.audiences().stream().noneMatch(audience::contains)) {
            throw new TokenRejected("the token's audience (aud) does not name this gateway");
        }
        return new Verified(claims.getClaims(), subject, expiresAt, issuer);
    }
}
