package io.ssegateway.plugin.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import io.ssegateway.spi.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The configuration of the JWT authenticator, node {@code gateway.auth.jwt}. Every error names the full key. See
 * docs/plugins/jwt.md for the table.
 *
 * @param secret          the HMAC secret's bytes ({@code secret}), or {@code null}
 * @param publicKeyFiles  PEM files with public keys ({@code public-keys})
 * @param jwksUrl         the JWKS URL ({@code jwks-url}), or {@code null}
 * @param jwksRefresh     how old the cached JWKS may grow before it is fetched again ({@code jwks-refresh})
 * @param jwksMinRefetch  the least time between two fetches for an unknown key id ({@code jwks-refetch-min-interval})
 * @param jwksTimeout     connect and read timeout of a JWKS fetch ({@code jwks-timeout})
 * @param algorithms      the accepted {@code alg} values ({@code algorithms})
 * @param issuer          the required {@code iss}, or {@code null} ({@code issuer})
 * @param audiences       one of these must be in {@code aud}; empty for no check ({@code audience})
 * @param requireExp      a token without {@code exp} is refused ({@code require-exp})
 * @param clockSkew       tolerance for {@code exp}, {@code nbf} and {@code iat} ({@code clock-skew})
 * @param sources         where tokens are looked for, in this order ({@code token-sources})
 * @param cookieName      the cookie ({@code cookie-name})
 * @param queryParam      the query parameter ({@code query-param})
 * @param channelsClaim   the claim listing the channels a subscriber may read ({@code channels-claim})
 * @param publishClaim    the claim listing the channels a publisher may publish to ({@code publish-claim})
 * @param publishers      whether publisher tokens are accepted at all ({@code publishers})
 */
record JwtSettings(byte[] secret, List<Path> publicKeyFiles, URI jwksUrl, Duration jwksRefresh,
                   Duration jwksMinRefetch, Duration jwksTimeout, Set<JWSAlgorithm> algorithms, String issuer,
                   List<String> audiences, boolean requireExp, Duration clockSkew, List<TokenSource> sources,
                   String cookieName, String queryParam, ClaimPath channelsClaim, ClaimPath publishClaim,
                   boolean publishers) {

    /** Where a subscriber's token may come from. */
    enum TokenSource {
        /** {@code Authorization: Bearer <token>}. */
        HEADER,
        /** A cookie: what a browser's {@code EventSource} sends. */
        COOKIE,
        /** A query parameter (RFC 6750's {@code access_token}). */
        QUERY
    }

    static final int MIN_SECRET_BYTES = 32;
    static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    static final Set<JWSAlgorithm> SUPPORTED = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512,
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384,
            JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA,
            JWSAlgorithm.Ed25519);
    /** The default for public keys and JWKS: the common signature algorithms of identity providers. */
    static final List<JWSAlgorithm> DEFAULT_PUBLIC_KEY_ALGORITHMS = List.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256,
            JWSAlgorithm.ES256, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    static JwtSettings from(PluginConfig config) {
        byte[] secret = config.get("secret").filter(value -> !value.isEmpty())
                .map(value -> value.getBytes(StandardCharsets.UTF_8)).orElse(null);
        if (secret != null && secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("secret") + " is " + secret.length
                    + " bytes long; an HMAC secret needs at least " + MIN_SECRET_BYTES + " bytes (256 bits): generate"
                    + " one with `openssl rand -base64 48`");
        }
        List<Path> publicKeyFiles = config.getList("public-keys").stream().map(Path::of).toList();
        URI jwksUrl = config.get("jwks-url").map(String::trim).filter(value -> !value.isEmpty())
                .map(value -> url(value, config.keyOf("jwks-url"))).orElse(null);
        if (secret == null && publicKeyFiles.isEmpty() && jwksUrl == null) {
            throw new IllegalArgumentException("the JWT authenticator needs a key: set " + config.keyOf("secret")
                    + " (GATEWAY_AUTH_JWT_SECRET, an HMAC secret of at least 32 bytes), " + config.keyOf("public-keys")
                    + " (PEM files) or " + config.keyOf("jwks-url"));
        }
        Set<JWSAlgorithm> algorithms = algorithms(config, secret != null, !publicKeyFiles.isEmpty() || jwksUrl != null);

        Duration jwksRefresh = positive(config, "jwks-refresh", Duration.ofMinutes(5));
        Duration jwksMinRefetch = config.getDuration("jwks-refetch-min-interval", Duration.ofSeconds(10));
        Duration jwksTimeout = positive(config, "jwks-timeout", Duration.ofSeconds(5));
        String issuer = config.get("issuer").map(String::trim).filter(value -> !value.isEmpty()).orElse(null);
        List<String> audiences = config.getList("audience");
        boolean requireExp = config.getBoolean("require-exp", true);
        Duration clockSkew = config.getDuration("clock-skew", Duration.ofSeconds(5));

        List<TokenSource> sources = new ArrayList<>();
        List<String> names = config.get("token-sources").isPresent() || !config.getList("token-sources").isEmpty()
                ? config.getList("token-sources") : List.of("header", "cookie", "query");
        for (String name : names) {
            TokenSource source;
            try {
                source = TokenSource.valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("token-sources") + ": '" + name
                        + "' is not a token source (header, cookie, query)");
            }
            if (!sources.contains(source)) {
                sources.add(source);
            }
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("token-sources")
                    + " must name at least one of header, cookie, query");
        }
        sources.sort(null);
        String cookieName = config.get("cookie-name", "sse_token").trim();
        String queryParam = config.get("query-param", "access_token").trim();
        if (cookieName.isEmpty() || queryParam.isEmpty()) {
            throw new IllegalArgumentException("configuration keys " + config.keyOf("cookie-name") + " and "
                    + config.keyOf("query-param") + " must not be empty (leave a source out of "
                    + config.keyOf("token-sources") + " instead)");
        }
        ClaimPath channelsClaim = ClaimPath.of(config.get("channels-claim", "channels"), config.keyOf("channels-claim"));
        ClaimPath publishClaim = ClaimPath.of(config.get("publish-claim", "publish"), config.keyOf("publish-claim"));
        boolean publishers = config.getBoolean("publishers", true);
        return new JwtSettings(secret, publicKeyFiles, jwksUrl, jwksRefresh, jwksMinRefetch, jwksTimeout, algorithms,
                issuer, audiences, requireExp, clockSkew, List.copyOf(sources), cookieName, queryParam, channelsClaim,
                publishClaim, publishers);
    }

    private static Set<JWSAlgorithm> algorithms(PluginConfig config, boolean hasSecret, boolean hasPublicKeys) {
        String key = config.keyOf("algorithms");
        List<String> names = config.getList("algorithms");
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        if (names.isEmpty()) {
            if (hasSecret) {
                algorithms.add(JWSAlgorithm.HS256);
            }
            if (hasPublicKeys) {
                algorithms.addAll(DEFAULT_PUBLIC_KEY_ALGORITHMS);
            }
            return Set.copyOf(algorithms);
        }
        for (String name : names) {
            JWSAlgorithm algorithm = JWSAlgorithm.parse(name.trim());
            if (!SUPPORTED.contains(algorithm)) {
                throw new IllegalArgumentException("configuration key " + key + ": '" + name + "' is not a supported"
                        + " signature algorithm (" + String.join(", ", SUPPORTED.stream().map(JWSAlgorithm::getName)
                        .sorted().toList()) + ")" + ("none".equalsIgnoreCase(name.trim()) ? "; unsigned tokens are"
                        + " never accepted" : ""));
            }
            if (HMAC.contains(algorithm) && !hasSecret) {
                throw new IllegalArgumentException("configuration key " + key + " lists " + name + ", an HMAC algorithm,"
                        + " but " + config.keyOf("secret") + " is not set");
            }
            if (!HMAC.contains(algorithm) && !hasPublicKeys) {
                throw new IllegalArgumentException("configuration key " + key + " lists " + name + ", a public-key"
                        + " algorithm, but neither " + config.keyOf("public-keys") + " nor " + config.keyOf("jwks-url")
                        + " is set");
            }
            algorithms.add(algorithm);
        }
        return Set.copyOf(algorithms);
    }

    private static Duration positive(PluginConfig config, String key, Duration defaultValue) {
        Duration value = config.getDuration(key, defaultValue);
        if (value.isZero()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf(key) + " must be more than 0");
        }
        return value;
    }

    private static URI url(String value, String key) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + value + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + value + "' is not an http(s) URL");
        }
        return uri;
    }
}
