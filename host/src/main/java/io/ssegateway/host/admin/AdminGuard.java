package io.ssegateway.host.admin;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.ssegateway.host.http.Json;
import io.ssegateway.kit.BearerToken;
import java.net.InetSocketAddress;

/**
 * Protects the admin API: with {@code gateway.admin.token} set, {@code Authorization: Bearer <token>} is required
 * (401 otherwise); with none, only loopback clients (judged by the socket, never by a forwarded header) that name a
 * loopback host ({@code Host: localhost}, {@code 127.0.0.1}, {@code [::1]}, any port) are served (403 otherwise). The
 * second check stops DNS rebinding: a page from {@code attacker.example} whose name was made to resolve to 127.0.0.1
 * reaches the socket from loopback, but its requests still carry {@code Host: attacker.example}.
 */
public final class AdminGuard {

    private final BearerToken token;

    /** @param token the admin token (trimmed), or {@code null} or blank for loopback-only */
    public AdminGuard(String token) {
        this.token = token == null || token.isBlank() ? null : BearerToken.of(token);
    }

    /** {@code true} if the request may proceed; otherwise the refusal has been sent. */
    public boolean admit(ServerRequest request, ServerResponse response) {
        if (token == null) {
            if (!(request.remotePeer().address() instanceof InetSocketAddress peer
                    && peer.getAddress() != null && peer.getAddress().isLoopbackAddress())) {
                Json.error(response, 403, "the admin API answers only loopback clients while gateway.admin.token is not set");
                return false;
            }
            if (!LoopbackHost.is(request.headers().first(HeaderNames.HOST).orElse(null))) {
                Json.error(response, 403, "the admin API answers only requests for a loopback host (Host: localhost,"
                        + " 127.0.0.1 or [::1]) while gateway.admin.token is not set");
                return false;
            }
            return true;
        }
        String authorization = request.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (BearerToken.presented(authorization) == null) {
            response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            Json.error(response, 401, "admin token required: Authorization: Bearer <gateway.admin.token>");
            return false;
        }
        if (!token.matches(authorization)) {
            response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            Json.error(response, 401, "invalid admin token");
            return false;
        }
        return true;
    }

    /** Whether an {@code Authorization} header value ({@code null} if absent) carries the admin token. */
    public boolean isAdminToken(String authorization) {
        return token != null && token.matches(authorization);
    }

    public boolean tokenConfigured() {
        return token != null;
    }
}
