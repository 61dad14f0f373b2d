package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ssegateway.spi.PluginConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.spi.ToolProvider;

/**
 * {@code bin/sse-gateway token}: prints an HMAC-signed token for trying the gateway (curl, a browser) without any other
 * tool. Mint production tokens in your backend with its JWT library.
 * <pre>
 * bin/sse-gateway token --secret "$GATEWAY_AUTH_JWT_SECRET" --sub alice --channels 'user-alice,room-*' --ttl 1h
 * </pre>
 */
public final class TokenTool implements ToolProvider {

    static final String USAGE = """
            usage: sse-gateway token [--secret <secret>] [--sub <subject>] [--channels <ids,patterns>]
                                     [--publish <ids,patterns>] [--ttl <duration>] [--iss <issuer>] [--aud <audience>]
                                     [--alg HS256|HS384|HS512] [--claim name=value]...
              Prints a signed JWT for the gateway's jwt authenticator.
              --secret    the HMAC secret (at least 32 bytes); default: $GATEWAY_AUTH_JWT_SECRET
              --sub       the subject (who the client is)
              --channels  channels the token may read: ids, * wildcards (room-*), templates (user-{sub})
              --publish   channels the token may publish to ("*" = all, needed for broadcasts)
              --ttl       lifetime: 30s, 15m, 1h, 2d (default 1h)
              --iss, --aud  the issuer and audience claims
              --alg       HS256 (default), HS384 (secret of 48+ bytes) or HS512 (64+ bytes)
              --claim     another string claim; repeatable
            """;

    private final Function<String, String> environment;

    /** For {@code ServiceLoader}: reads the real environment. */
    public TokenTool() {
        this(System::getenv);
    }

    TokenTool(Function<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String name() {
        return "token";
    }

    @Override
    public Optional<String> description() {
        return Optional.of("print a signed JWT for the jwt authenticator (for trying it out)");
    }

    @Override
    public int run(PrintWriter out, PrintWriter err, String... args) {
        try {
            out.println(mint(Arrays.asList(args)));
            out.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("sse-gateway token: " + e.getMessage());
            err.print(USAGE);
            err.flush();
            return 2;
        } catch (JOSEException e) {
            err.println("sse-gateway token: cannot sign: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    String mint(List<String> args) throws JOSEException {
        String secret = environment.apply("GATEWAY_AUTH_JWT_SECRET");
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
        Duration ttl = Duration.ofHours(1);
        JWSAlgorithm alg = JWSAlgorithm.HS256;
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (option.equals("--help") || option.equals("-h")) {
                throw new IllegalArgumentException("the options are:");
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args.get(++i);
            switch (option) {
                case "--secret" -> secret = value;
                case "--sub" -> claims.subject(value);
                case "--channels" -> claims.claim("channels", list(value));
                case "--publish" -> claims.claim("publish", list(value));
                case "--ttl" -> ttl = PluginConfig.parseDuration(value);
                case "--iss" -> claims.issuer(value);
                case "--aud" -> claims.audience(value);
                case "--alg" -> alg = hmac(value);
                case "--claim" -> {
                    int equals = value.indexOf('=');
                    if (equals <= 0) {
                        throw new IllegalArgumentException("--claim needs name=value, not '" + value + "'");
                    }
                    claims.claim(value.substring(0, equals), value.substring(equals + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("give --secret or set GATEWAY_AUTH_JWT_SECRET");
        }
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < JwtSettings.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the secret has " + key.length + " bytes; at least "
                    + JwtSettings.MIN_SECRET_BYTES + " are needed");
        }
        Instant now = Instant.now();
        claims.issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).build(), claims.build());
        jwt.sign(new MACSigner(key));
        return jwt.serialize();
    }

    private static JWSAlgorithm hmac(String name) {
        JWSAlgorithm alg = JWSAlgorithm.parse(name.trim().toUpperCase(java.util.Locale.ROOT));
        if (!JwtSettings.HMAC.contains(alg)) {
            throw new IllegalArgumentException("--alg must be HS256, HS384 or HS512");
        }
        return alg;
    }

    private static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        for (String item : value.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }
}
