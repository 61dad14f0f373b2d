package io.ssegateway.spi.auth;

import java.util.Optional;

/**
 * Decides whether an SSE subscription ({@code GET /sse/connect}) may proceed. Called once per connection attempt,
 * after the channel id has been validated and before any limit is counted, on the request's own virtual thread:
 * it may block (call an identity service), but the client waits meanwhile.
 * <p>
 * Thread-safe: called concurrently for different requests.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * @return empty to allow; a {@link Denial} to answer with its status and body instead
     * @throws Exception the check itself failed; the gateway answers 503 with a JSON reason, logs and counts it
     */
    Optional<Denial> authenticate(AuthRequest request) throws Exception;
}
