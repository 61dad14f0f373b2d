package io.ssegateway.host.auth;

import io.ssegateway.host.core.GatewayMetrics;
import io.ssegateway.host.core.PluginCalls;
import io.ssegateway.kit.RateLimitedLog;
import io.ssegateway.kit.StrictJson;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Authenticator;
import io.ssegateway.spi.auth.Denial;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Hands publish requests that present a credential of their own (not the static admin or push token) to the
 * gateway's authenticator, if it {@linkplain Authenticator#authorizesPublishers() judges publishers}: for
 * {@code /api/send} and for sources with their own publish API ({@code MessageHandler.authorizePublish}).
 */
public final class PublishAuthorizer {

    private static final Logger LOG = Logger.getLogger(PublishAuthorizer.class.getName());

    /** {@code null} when no authenticator judges publishers. */
    private final Authenticator authenticator;
    private final GatewayMetrics metrics;
    private final Duration retryAfter;
    private final RateLimitedLog failureLog = new RateLimitedLog(LOG);

    /** @param authenticator the gateway's authenticator, or {@code null} */
    public PublishAuthorizer(Authenticator authenticator, GatewayMetrics metrics, Duration retryAfter) {
        this.authenticator = authenticator != null && PluginCalls.withContextLoader(authenticator,
                authenticator::authorizesPublishers) ? authenticator : null;
        this.metrics = metrics;
        this.retryAfter = retryAfter;
    }

    /** Whether publisher credentials are judged at all (else only the static token admits publishers). */
    public boolean judgesPublishers() {
        return authenticator != null;
    }

    /**
     * The authenticator's verdict on a publish request to {@code channelIds} (none for a broadcast); empty when no
     * authenticator judges publishers. An authenticator that fails is a 503 denial (logged and counted), a refusal is
     * counted in {@link GatewayMetrics#publishersDenied}.
     */
    public Optional<AuthResult> authorize(String method, String uri, Map<String, List<String>> headers, String clientIp,
                                          List<String> channelIds) {
        if (authenticator == null) {
            return Optional.empty();
        }
        HeldAuthRequest request = HeldAuthRequest.publish(method, uri, headers, clientIp, channelIds);
        AuthResult result;
        try {
            result = PluginCalls.withContextLoader(authenticator, () -> {
                try {
                    return authenticator.authenticate(request);
                } catch (Exception e) {
                    throw new Failure(e);
                }
            });
            if (result == null) {
                throw new IllegalStateException("the authenticator answered null");
            }
        } catch (RuntimeException e) {
            Throwable cause = e instanceof Failure ? e.getCause() : e;
            metrics.authErrors.increment();
            failureLog.warn("Authenticator " + authenticator.getClass().getName() + " failed on a publisher: " + cause, cause);
            return Optional.of(AuthResult.deny(Denial.denyJson(503, StrictJson.object()
                            .put("error", "authentication is unavailable, try again later").toString())
                    .withHeader("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())))));
        }
        if (!result.allowed()) {
            metrics.publishersDenied.increment();
        }
        return Optional.of(result);
    }

    /** Carries an exception of the authenticator out of the context-loader wrapper. */
    private static final class Failure extends RuntimeException {
        Failure(Exception cause) {
            super(cause);
        }
    }
}
