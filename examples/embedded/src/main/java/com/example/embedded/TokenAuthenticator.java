package com.example.embedded;

import io.ssegateway.spi.auth.AuthRequest;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Authenticator;
import io.ssegateway.spi.auth.Denial;
import io.ssegateway.spi.auth.Identity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * A custom authenticator: a token names a user, who may subscribe to its own channel ({@code user:<name>}) and to the
 * public ones ({@code public:<anything>}).
 * <p>
 * The token comes from {@code Authorization: Bearer …} (servers, curl), or from a {@code token} cookie or query
 * parameter (browsers: {@code EventSource} cannot send headers). No token is a 401, a channel of someone else a 403.
 * In a real application the lookup would be a session store or a JWT check; it may block (it runs on the request's
 * own virtual thread), and an exception it throws is answered 503.
 */
public final class TokenAuthenticator implements Authenticator {

    private final Map<String, String> usersByToken;

    /** @param usersByToken token → user name */
    public TokenAuthenticator(Map<String, String> usersByToken) {
        this.usersByToken = Map.copyOf(usersByToken);
    }

    @Override
    public AuthResult authenticate(AuthRequest request) {
        Optional<String> token = request.bearerToken()
                .or(() -> request.cookie("token"))
                .or(() -> request.queryParam("token"));
        Optional<String> user = token.flatMap(this::userOf);
        if (user.isEmpty()) {
            return AuthResult.deny(Denial.denyJson(401, "{\"error\": \"a valid token is required\"}"));
        }
        for (String channel : request.channelIds()) {
            if (!channel.equals("user:" + user.get()) && !channel.startsWith("public:")) {
                return AuthResult.deny(Denial.denyJson(403, "{\"error\": \"not your channel\"}"));
            }
        }
        return AuthResult.allow(Identity.of(user.get()));
    }

    /** Compared in constant time, so that response times do not tell how much of a token was right. */
    private Optional<String> userOf(String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (Map.Entry<String, String> entry : usersByToken.entrySet()) {
            if (MessageDigest.isEqual(given, entry.getKey().getBytes(StandardCharsets.UTF_8))) {
                found = entry.getValue();
            }
        }
        return Optional.ofNullable(found);
    }
}
