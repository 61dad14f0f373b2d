package io.ssegateway.spi.auth;

/**
 * Decides whether an SSE subscription ({@code GET /sse/connect}) may proceed, and says who the client is (and, if it
 * {@linkplain #authorizesPublishers() judges publishers}, whether a publish request may). Called once
 * per connection attempt, after the channel ids have been validated and before any limit is counted, on the request's
 * own virtual thread: it may block (call an identity service), but the client waits meanwhile. It sees every channel
 * of the subscription ({@link AuthRequest#channelIds()}); refusing the request refuses all of them.
 * <p>
 * Thread-safe: called concurrently for different requests.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * @return {@link AuthResult#allow(Identity)} (or {@link AuthResult#allow()}) to let the client in;
     * {@link AuthResult#deny(Denial)} to answer with the denial's status and body instead
     * @throws Exception the check itself failed; the gateway answers 503 with a JSON reason, logs and counts it
     */
    AuthResult authenticate(AuthRequest request) throws Exception;

    /**
     * Whether this authenticator also judges publishers ({@link AuthRequest.Action#PUBLISH}): a request to
     * {@code /api/send} (or a source's own publish API) that presents an {@code Authorization: Bearer} credential other
     * than the static admin (or push) token is then handed to {@link #authenticate}, with the target channels in
     * {@link AuthRequest#channelIds()}. Default {@code false}: the gateway never asks, and publishers need the static
     * token, so that an authenticator written for subscribers (one that allows everyone, say) never admits a publisher
     * by accident.
     */
    default boolean authorizesPublishers() {
        return false;
    }

    /**
     * Whether the authenticator can judge requests now (for example: its signing keys are loaded). {@code /ready}
     * reports the gateway not ready while it is not. Must not block: answer from what is known and refresh in the
     * background. Default {@code true}.
     */
    default boolean isAvailable() {
        return true;
    }
}
