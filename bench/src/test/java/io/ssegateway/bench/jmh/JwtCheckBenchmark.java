package io.ssegateway.bench.jmh;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ssegateway.plugin.jwt.JwtAuthenticator;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.auth.AuthRequest;
import io.ssegateway.spi.auth.AuthResult;
import io.ssegateway.spi.auth.Authenticator;
import io.ssegateway.spi.testkit.TestAuthRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JWT check of one subscription (what {@code GET /sse/connect} pays once per connect, never per message): parse,
 * verify the signature with a loaded key, check the claims, match the channel against {@code room-*} and
 * {@code user-{sub}}. The token comes in the {@code sse_token} cookie, as a browser sends it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JwtCheckBenchmark {

    private static final String SECRET = "bench-secret-that-is-at-least-thirty-two-bytes";

    /** The token's signature algorithm (the key is loaded once, as the gateway holds it). */
    @Param({"HS256", "RS256", "ES256"})
    public String algorithm;

    private Authenticator authenticator;
    private AuthRequest request;

    @Setup
    public void setUp() throws Exception {
        JWSSigner signer;
        Map<String, String> config;
        switch (algorithm) {
            case "HS256" -> {
                signer = new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8));
                config = Map.of("secret", SECRET);
            }
            case "RS256" -> {
                KeyPair keys = generate("RSA", null);
                signer = new RSASSASigner(keys.getPrivate());
                config = Map.of("public-keys", pem(keys).toString());
            }
            case "ES256" -> {
                KeyPair keys = generate("EC", new ECGenParameterSpec("secp256r1"));
                signer = new ECDSASigner((ECPrivateKey) keys.getPrivate());
                config = Map.of("public-keys", pem(keys).toString());
            }
            default -> throw new IllegalArgumentException(algorithm);
        }
        authenticator = new JwtAuthenticator.Factory().create(PluginConfig.of("gateway.auth.jwt", config));
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.parse(algorithm)), new JWTClaimsSet.Builder()
                .subject("alice").issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofDays(1))))
                .claim("channels", List.of("room-*", "user-{sub}")).build());
        jwt.sign(signer);
        request = TestAuthRequest.subscribe("user-alice").cookie("sse_token", jwt.serialize()).build();
        if (!authenticator.authenticate(request).allowed()) {
            throw new IllegalStateException("the benchmark's token is refused");
        }
    }

    private static KeyPair generate(String algorithm, ECGenParameterSpec spec) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (spec != null) {
            generator.initialize(spec);
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    private static Path pem(KeyPair keys) throws Exception {
        Path file = Files.createTempFile("bench-key", ".pem");
        file.toFile().deleteOnExit();
        return Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    }

    @Benchmark
    public AuthResult checkSubscription() throws Exception {
        return authenticator.authenticate(request);
    }

}
