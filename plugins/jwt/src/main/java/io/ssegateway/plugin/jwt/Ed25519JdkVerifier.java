package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Set;

/**
 * Verifies {@code EdDSA}/{@code Ed25519} signatures with the JDK's own Ed25519 (Java 15+): the library's verifier
 * needs Google Tink, several megabytes this plugin does not ship.
 */
final class Ed25519JdkVerifier implements JWSVerifier {

    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow. */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private final PublicKey key;
    private final JCAContext context = new JCAContext();

    Ed25519JdkVerifier(byte[] x) throws JOSEException {
        if (x.length != 32) {
            throw new JOSEException("an Ed25519 public key has 32 bytes, not " + x.length);
        }
        byte[] encoded = new byte[SPKI_PREFIX.length + x.length];
        System.arraycopy(SPKI_PREFIX, 0, encoded, 0, SPKI_PREFIX.length);
        System.arraycopy(x, 0, encoded, SPKI_PREFIX.length, x.length);
        try {
            key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new JOSEException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** The raw 32 key bytes of an Ed25519 public key in X.509 (SubjectPublicKeyInfo) form. */
    static byte[] rawKey(PublicKey ed25519) {
        byte[] encoded = ed25519.getEncoded();
        byte[] raw = new byte[32];
        System.arraycopy(encoded, encoded.length - 32, raw, 0, 32);
        return raw;
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    }

    @Override
    public JCAContext getJCAContext() {
        return context;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        if (!supportedJWSAlgorithms().contains(header.getAlgorithm())) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(signingInput);
            return verifier.verify(signature.decode());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
