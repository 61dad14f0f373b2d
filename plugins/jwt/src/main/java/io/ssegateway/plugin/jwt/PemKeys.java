package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads public keys from PEM files with the JDK alone: {@code -----BEGIN PUBLIC KEY-----} blocks (X.509
 * SubjectPublicKeyInfo: RSA, EC P-256/P-384/P-521, Ed25519) and {@code -----BEGIN CERTIFICATE-----} blocks (their
 * public key). A file may hold several blocks. Private keys are refused: the gateway only verifies.
 */
final class PemKeys {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private PemKeys() {
    }

    /** Every public key of {@code file}; an {@link IllegalArgumentException} naming the file and {@code key}. */
    static List<JWK> read(Path file, String key) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("configuration key " + key + ": cannot read " + file + " (" + e + ")");
        }
        List<JWK> keys = new ArrayList<>();
        Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            String type = block.group(1);
            byte[] der = Base64.getMimeDecoder().decode(block.group(2));
            try {
                PublicKey publicKey = switch (type) {
                    case "PUBLIC KEY" -> publicKey(der);
                    case "CERTIFICATE" -> CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
                    default -> throw new IllegalArgumentException("configuration key " + key + ": " + file + " holds a '"
                            + type + "' block; give public keys (BEGIN PUBLIC KEY) or certificates, never private keys");
                };
                keys.add(jwk(publicKey, file, key));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("configuration key " + key + ": " + file + " holds a key that cannot"
                        + " be read (" + e.getMessage() + ")");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("configuration key " + key + ": " + file + " holds no PEM public key"
                    + " (-----BEGIN PUBLIC KEY-----)");
        }
        return keys;
    }

    private static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    private static JWK jwk(PublicKey publicKey, Path file, String key) {
        if (publicKey instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException("configuration key " + key + ": the RSA key in " + file + " has "
                        + rsa.getModulus().bitLength() + " bits; at least 2048 are required");
            }
            return new RSAKey.Builder(rsa).build();
        }
        if (publicKey instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new IllegalArgumentException("configuration key " + key + ": the EC key in " + file
                        + " is not on P-256, P-384 or P-521");
            }
            return new ECKey.Builder(curve, ec).build();
        }
        if (publicKey instanceof EdECPublicKey ed && "Ed25519".equals(ed.getParams().getName())) {
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Ed25519JdkVerifier.rawKey(ed))).build();
        }
        throw new IllegalArgumentException("configuration key " + key + ": " + file + " holds a "
                + publicKey.getAlgorithm() + " key; RSA, EC and Ed25519 keys are supported");
    }
}
