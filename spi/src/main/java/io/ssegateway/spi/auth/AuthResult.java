package io.ssegateway.spi.auth;

import java.util.Objects;
import java.util.Optional;

/**
 * An {@link Authenticator}'s answer: allowed, with who the client is, or denied, with the answer to send.
 */
public final class AuthResult {

    private static final AuthResult ANONYMOUS = new AuthResult(Identity.ANONYMOUS, null);

    private final Identity identity;
    private final Denial denial;

    private AuthResult(Identity identity, Denial denial) {
        this.identity = identity;
        this.denial = denial;
    }

    /** Allowed, without saying who the client is. */
    public static AuthResult allow() {
        return ANONYMOUS;
    }

    /** Allowed, as {@code identity} (its expiry, if any, ends the connection then). */
    public static AuthResult allow(Identity identity) {
        return new AuthResult(Objects.requireNonNull(identity, "identity"), null);
    }

    /** Refused: the gateway answers with the denial's status and body. */
    public static AuthResult deny(Denial denial) {
        return new AuthResult(null, Objects.requireNonNull(denial, "denial"));
    }

    public boolean allowed() {
        return denial == null;
    }

    /** The client, when allowed; {@code null} when denied. */
    public Identity identity() {
        return identity;
    }

    /** Why it was refused; empty when allowed. */
    public Optional<Denial> denial() {
        return Optional.ofNullable(denial);
    }

    @Override
    public String toString() {
        return allowed() ? "allowed " + identity : "denied " + denial.status();
    }
}
