package io.ssegateway.host.admin;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.Json;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Protects the admin API: with {@code gateway.admin.token} set, {@code Authorization: Bearer <token>} is required
 * (401 otherwise); with none, only loopback clients (judged by the socket, never by a forwarded header) are served
 * (403 otherwise).
 */
public final class AdminGuard {

    private final byte[] token;

    /** @param token the admin token, or {@code null} for loopback-only */
    public AdminGuard(String token) {
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code true} if the request may proceed; otherwise the refusal has been sent. */
    public boolean admit(ServerRequest request, ServerResponse response) {
        if (token == null) {
            if (request.remotePeer().address() instanceof InetSocketAddress peer
                    && peer.getAddress() != null && peer.getAddress().isLoopbackAddress()) {
                return true;
            }
            Json.error(response, 403, "the admin API answers only loopback clients while gateway.admin.token is not set");
            return false;
        }
        String presented = request.headers().first(HeaderNames.AUTHORIZATION)
                .map(String::trim)
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim())
                .orElse(null);
        if (presented == null) {
            response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            Json.error(response, 401, "admin token required: Authorization: Bearer <gateway.admin.token>");
            return false;
        }
        if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            Json.error(response, 401, "invalid admin token");
            return false;
        }
        return true;
    }

    public boolean tokenConfigured() {
        return token != null;
    }
}
