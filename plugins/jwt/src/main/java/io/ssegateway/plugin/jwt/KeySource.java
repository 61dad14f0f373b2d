package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import java.util.List;

/** Where the keys that verify tokens come from. Thread-safe. */
interface KeySource {

    /**
     * The keys that may verify a token with {@code alg} and key id {@code kid} ({@code null} if it has none).
     *
     * @throws KeysUnavailableException no key could be loaded yet (a JWKS that never answered): not the client's fault
     */
    List<VerificationKey> keysFor(JWSAlgorithm alg, String kid) throws KeysUnavailableException;

    /** Whether keys are loaded. Must not block. */
    boolean isAvailable();

    /** Thrown when no key can be had; the gateway answers 503. */
    final class KeysUnavailableException extends Exception {
        KeysUnavailableException(String message) {
            super(message);
        }
    }
}
