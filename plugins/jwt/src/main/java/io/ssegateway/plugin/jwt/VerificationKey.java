package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * One key a token may be verified with, and its verifier (built once). A key verifies only the algorithms of its own
 * type: HMAC ({@code HS*}) only with the configured secret, {@code RS*}/{@code PS*} only with RSA keys, {@code ES*}
 * only with EC keys of the algorithm's curve, {@code EdDSA}/{@code Ed25519} only with Ed25519 keys. So a token signed
 * with HMAC using a public key as the secret is never checked against that public key (algorithm confusion).
 */
record VerificationKey(JWK jwk, JWSVerifier verifier) {

    static VerificationKey of(JWK jwk) throws JOSEException {
        JWSVerifier verifier;
        if (jwk instanceof OctetSequenceKey secret) {
            verifier = new MACVerifier(secret.toByteArray());
        } else if (jwk instanceof RSAKey rsa) {
            verifier = new RSASSAVerifier(rsa.toRSAPublicKey());
        } else if (jwk instanceof ECKey ec) {
            verifier = new ECDSAVerifier(ec.toECPublicKey());
        } else if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            verifier = new Ed25519JdkVerifier(okp.getDecodedX());
        } else {
            return null;
        }
        return new VerificationKey(jwk, verifier);
    }

    /** Whether a token with {@code alg} and {@code kid} (or {@code null}) may be verified with this key. */
    boolean fits(JWSAlgorithm alg, String kid) {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            return false;
        }
        if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().getName().equals(alg.getName())) {
            return false;
        }
        if (kid != null && jwk.getKeyID() != null && !kid.equals(jwk.getKeyID())) {
            return false;
        }
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            return jwk instanceof OctetSequenceKey;
        }
        if (JWSAlgorithm.Family.RSA.contains(alg)) {
            return jwk instanceof RSAKey;
        }
        if (JWSAlgorithm.Family.EC.contains(alg)) {
            return jwk instanceof ECKey ec && Curve.forJWSAlgorithm(alg).contains(ec.getCurve());
        }
        if (JWSAlgorithm.EdDSA.equals(alg) || JWSAlgorithm.Ed25519.equals(alg)) {
            return jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve());
        }
        return false;
    }
}
