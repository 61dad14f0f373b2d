package io.ssegateway.spi.auth;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Who a client is, as the {@link Authenticator} established it. Listeners, sources, {@code /api/stats} and the
 * dashboard see it on every connection ({@link io.ssegateway.spi.lifecycle.ConnectionInfo#subject()}).
 *
 * @param subject    who the client is (a user id, a service name), or {@code null} for an anonymous client
 * @param expiresAt  when the credential expires: the gateway ends the connection then (after an {@code expired} event),
 *                   so that no stream outlives its credential (the client reconnects with a fresh one), and refuses a
 *                   subscription (401) whose identity has already expired; {@code null} for no end
 * @param attributes anything else worth knowing about the client (a tenant, a role); immutable, never {@code null}
 */
public record Identity(String subject, Instant expiresAt, Map<String, String> attributes) {

    /** A client the authenticator allowed without saying who it is. */
    public static final Identity ANONYMOUS = new Identity(null, null, Map.of());

    public Identity {
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
    }

    /** A named client whose credential never expires. */
    public static Identity of(String subject) {
        return new Identity(Objects.requireNonNull(subject, "subject"), null, Map.of());
    }
}
