package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import java.util.List;

/** Keys known at start-up: the HMAC secret and the PEM public keys. */
record StaticKeys(List<VerificationKey> keys) implements KeySource {

    StaticKeys {
        keys = List.copyOf(keys);
    }

    @Override
    public List<VerificationKey> keysFor(JWSAlgorithm alg, String kid) {
        return keys.stream().filter(key -> key.fits(alg, kid)).toList();
    }

    @Override
    public boolean isAvailable() {
        return true;
    }
}
