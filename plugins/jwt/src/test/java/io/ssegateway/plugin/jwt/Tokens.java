package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.auth.Authenticator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

/** Mints test tokens with the JOSE library, and builds gateways with the jwt authenticator. */
final class Tokens {

    static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes!";

    private Tokens() {
    }

    /** Claims valid for an hour, with {@code sub}. */
    static JWTClaimsSet.Builder claims(String subject) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(subject).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
    }

    static String hs256(JWTClaimsSet.Builder claims) {
        return sign(new JWSHeader(JWSAlgorithm.HS256), claims, macSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
    }

    static String hs256(String secret, JWTClaimsSet.Builder claims) {
        return sign(new JWSHeader(JWSAlgorithm.HS256), claims, macSigner(secret.getBytes(StandardCharsets.UTF_8)));
    }

    static MACSigner macSigner(byte[] secret) {
        try {
            return new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(JWSHeader header, JWTClaimsSet.Builder claims, JWSSigner signer) {
        SignedJWT jwt = new SignedJWT(header, claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    static String rs256(KeyPair keys, String kid, JWTClaimsSet.Builder claims) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims,
                new RSASSASigner(keys.getPrivate()));
    }

    static String es256(KeyPair keys, JWTClaimsSet.Builder claims) {
        try {
            return sign(new JWSHeader(JWSAlgorithm.ES256), claims, new ECDSASigner(
                    (java.security.interfaces.ECPrivateKey) keys.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An EdDSA token signed with the JDK's Ed25519 (the library's signer needs Tink). */
    static String ed25519(KeyPair keys, JWTClaimsSet.Builder claims) {
        String header = Base64URL.encode("{\"alg\":\"EdDSA\"}").toString();
        String payload = Base64URL.encode(claims.build().toString()).toString();
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(keys.getPrivate());
            signature.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + Base64URL.encode(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair rsa() {
        return generate("RSA", null);
    }

    static KeyPair ec() {
        return generate("EC", new ECGenParameterSpec("secp256r1"));
    }

    static KeyPair ed25519() {
        return generate("Ed25519", null);
    }

    private static KeyPair generate(String algorithm, ECGenParameterSpec spec) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (spec != null) {
                generator.initialize(spec);
            } else if (algorithm.equals("RSA")) {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as a PEM {@code PUBLIC KEY} block. */
    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    static Path pemFile(Path dir, String name, PublicKey... keys) throws java.io.IOException {
        StringBuilder text = new StringBuilder();
        for (PublicKey key : keys) {
            text.append(pem(key));
        }
        return Files.writeString(dir.resolve(name), text);
    }

    /** The jwt authenticator built by its factory from {@code gateway.auth.jwt} values. */
    static Authenticator authenticator(Map<String, String> config) throws Exception {
        return new JwtAuthenticator.Factory().create(PluginConfig.of("gateway.auth.jwt", config));
    }

    /** A test gateway authenticating with the HMAC secret (and any other values). */
    static Gateway.Builder gateway(Map<String, String> extra) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("secret", SECRET));
        config.putAll(extra);
        return TestGateways.builder().auth(authenticator(config));
    }

}
