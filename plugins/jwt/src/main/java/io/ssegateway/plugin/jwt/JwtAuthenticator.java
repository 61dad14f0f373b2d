package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import io.ssegateway.kit.BearerToken;
import io.ssegateway.kit.StrictJson;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.auth.AuthRequest;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Authenticator;
import io.ssegateway.spi.auth.AuthenticatorFactory;
import io.ssegateway.spi.auth.Denial;
import io.ssegateway.spi.auth.Identity;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code gateway.auth.type: jwt}: subscribers and publishers present a signed JWT; its claims say which channels they
 * may read ({@code channels}) and publish to ({@code publish}). The check is local (no call to anyone once the keys
 * are loaded). A missing or invalid token is a 401 with {@code WWW-Authenticate: Bearer …} (RFC 6750), a channel the
 * token does not cover a 403 naming the channel. The token itself is never logged nor echoed.
 */
public final class JwtAuthenticator implements Authenticator {

    private static final Logger LOG = Logger.getLogger(JwtAuthenticator.class.getName());
    private static final String REALM = "sse-gateway";

    private final JwtSettings settings;
    private final TokenVerifier verifier;

    JwtAuthenticator(JwtSettings settings, TokenVerifier verifier) {
        this.settings = settings;
        this.verifier = verifier;
    }

    @Override
    public boolean authorizesPublishers() {
        return settings.publishers();
    }

    @Override
    public boolean isAvailable() {
        return verifier.isAvailable();
    }

    @Override
    public AuthResult authenticate(AuthRequest request) throws KeySource.KeysUnavailableException {
        boolean publishing = request.action() == AuthRequest.Action.PUBLISH;
        // a publisher is a backend: only the header (a cookie would let a page make a browser publish)
        Presented token = publishing ? request.bearerToken().map(value -> new Presented(value, "header")).orElse(null)
                : find(request);
        if (token == null) {
            return AuthResult.deny(missing(publishing));
        }
        TokenVerifier.Verified verified;
        try {
            verified = verifier.verify(token.value);
        } catch (TokenVerifier.TokenRejected rejected) {
            refused(request, rejected.getMessage());
            return AuthResult.deny(invalid(rejected.getMessage()));
        }
        ClaimPath claim = publishing ? settings.publishClaim() : settings.channelsClaim();
        ChannelGrant grant;
        try {
            grant = ChannelGrant.of(claim.find(verified.claims()), verified.claims());
        } catch (IllegalArgumentException malformed) {
            String description = "the token's " + claim + " claim is malformed: " + malformed.getMessage();
            refused(request, description);
            return AuthResult.deny(invalid(description));
        }
        if (publishing && request.channelIds().isEmpty()) {
            if (!grant.grantsEverything()) {
                refused(request, "a broadcast needs \"*\" in the " + claim + " claim");
                return AuthResult.deny(forbidden("the token does not allow broadcasts (they need \"*\" in its " + claim
                        + " claim)", null));
            }
        } else {
            String notCovered = grant.firstNotCovered(request.channelIds());
            if (notCovered != null) {
                refused(request, "channel '" + notCovered + "' is not in the " + claim + " claim");
                return AuthResult.deny(forbidden("the token does not allow " + (publishing ? "publishing to" : "reading")
                        + " channel '" + notCovered + "'", notCovered));
            }
        }
        Map<String, String> attributes = new HashMap<>();
        attributes.put("token_source", token.source);
        if (verified.issuer() != null) {
            attributes.put("issuer", verified.issuer());
        }
        return AuthResult.allow(new Identity(verified.subject(), verified.expiresAt(), attributes));
    }

    /** A token and where it was found. */
    private record Presented(String value, String source) {
    }

    /** The first token present, from the configured sources in order: header, cookie, query. */
    private Presented find(AuthRequest request) {
        for (JwtSettings.TokenSource source : settings.sources()) {
            Optional<String> value = switch (source) {
                case HEADER -> request.header("authorization").map(BearerToken::presented);
                case COOKIE -> request.cookie(settings.cookieName());
                case QUERY -> request.queryParam(settings.queryParam());
            };
            if (value.isPresent() && !value.get().isBlank()) {
                return new Presented(value.get().trim(), source.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return null;
    }

    private void refused(AuthRequest request, String why) {
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("Refused " + (request.action() == AuthRequest.Action.PUBLISH ? "a publisher"
                    : "a subscriber") + " of " + request.channelIds() + " from " + request.clientIp() + ": " + why);
        }
    }

    private Denial missing(boolean publishing) {
        String where = publishing ? "Authorization: Bearer <token>" : describeSources();
        return json(401, "a token is required: " + where, null)
                .withHeader("WWW-Authenticate", "Bearer realm=\"" + REALM + "\"");
    }

    private String describeSources() {
        List<String> where = new ArrayList<>();
        for (JwtSettings.TokenSource source : settings.sources()) {
            where.add(switch (source) {
                case HEADER -> "Authorization: Bearer <token>";
                case COOKIE -> "the " + settings.cookieName() + " cookie";
                case QUERY -> "the " + settings.queryParam() + " query parameter";
            });
        }
        return String.join(", ", where);
    }

    private static Denial invalid(String description) {
        return json(401, "invalid token: " + description, null).withHeader("WWW-Authenticate",
                "Bearer realm=\"" + REALM + "\", error=\"invalid_token\", error_description=\"" + quotable(description) + "\"");
    }

    private static Denial forbidden(String message, String channelId) {
        return json(403, message, channelId).withHeader("WWW-Authenticate", "Bearer realm=\"" + REALM
                + "\", error=\"insufficient_scope\", error_description=\"" + quotable(message) + "\"");
    }

    private static Denial json(int status, String error, String channelId) {
        var body = StrictJson.object().put("error", error);
        if (channelId != null) {
            body.put("channel_id", channelId);
        }
        return Denial.denyJson(status, body.toString());
    }

    /** RFC 6750 allows printable ASCII but {@code "} and {@code \} in error_description. */
    private static String quotable(String text) {
        StringBuilder quoted = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            quoted.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '?');
        }
        return quoted.toString();
    }

    /**
     * {@code gateway.auth.type: jwt}, node {@code gateway.auth.jwt}: {@code secret} (GATEWAY_AUTH_JWT_SECRET),
     * {@code public-keys}, {@code jwks-url}, {@code algorithms}, {@code issuer}, {@code audience}, … (see
     * {@link JwtSettings} and docs/plugins/jwt.md).
     */
    public static final class Factory implements AuthenticatorFactory {
        @Override
        public String name() {
            return "jwt";
        }

        @Override
        public Authenticator create(PluginConfig config) throws JOSEException {
            JwtSettings settings = JwtSettings.from(config);
            List<VerificationKey> keys = new ArrayList<>();
            if (settings.secret() != null) {
                keys.add(VerificationKey.of(new OctetSequenceKey.Builder(settings.secret()).build()));
            }
            for (Path file : settings.publicKeyFiles()) {
                for (JWK jwk : PemKeys.read(file, config.keyOf("public-keys"))) {
                    keys.add(VerificationKey.of(jwk));
                }
            }
            JwksKeys jwks = settings.jwksUrl() == null ? null : new JwksKeys(settings.jwksUrl(), settings.jwksRefresh(),
                    settings.jwksMinRefetch(), settings.jwksTimeout());
            List<String> described = new ArrayList<>();
            if (settings.secret() != null) {
                described.add("an HMAC secret");
            }
            if (!settings.publicKeyFiles().isEmpty()) {
                described.add((keys.size() - (settings.secret() != null ? 1 : 0)) + " PEM public key(s)");
            }
            if (jwks != null) {
                described.add("the JWKS at " + settings.jwksUrl());
            }
            LOG.info("JWT authentication with " + String.join(", ", described) + "; algorithms "
                    + settings.algorithms().stream().map(Object::toString).sorted().toList() + "; tokens from "
                    + settings.sources() + "; publishers " + (settings.publishers() ? "by their "
                    + settings.publishClaim() + " claim" : "not accepted"));
            return new JwtAuthenticator(settings, new TokenVerifier(settings, new StaticKeys(keys), jwks,
                    Clock.systemUTC()));
        }
    }
}
