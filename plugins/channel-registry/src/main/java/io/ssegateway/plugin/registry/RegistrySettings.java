package io.ssegateway.plugin.registry;

import io.lettuce.core.RedisURI;
import io.ssegateway.spi.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The configuration of the channel registry, node {@code gateway.source.channel-registry}. Every error names the full
 * key. See the plugin README for the table.
 *
 * @param redis             the Redis holding the registry ({@code redis-url}, {@code REDIS_URL})
 * @param timeout           Redis connect and command timeout ({@code timeout})
 * @param reconnectMaxDelay the cap of the Redis reconnection back-off ({@code reconnect-max-delay})
 * @param pushHost          the address the push API binds ({@code push-host})
 * @param pushPort          the port of the push API, 0 for any free port ({@code push-port}, {@code PUSH_PORT})
 * @param address           the push API's URL as other hosts reach it, or {@code null} to derive it from this host's
 *                          address and the bound port ({@code address}, {@code GATEWAY_ADDR})
 * @param channelTtl        how long a channel membership lives without a refresh ({@code channel-ttl}, {@code CHANNEL_TTL})
 * @param instanceTtl       how long an instance record lives without a heartbeat ({@code instance-ttl})
 * @param keyPrefix         the prefix of every registry key ({@code key-prefix})
 * @param pushToken         the bearer token the push API requires, or {@code null} for none ({@code push-token})
 * @param maxBodyBytes      the largest request body the push API reads ({@code max-body-bytes})
 * @param node              the configuration node, for messages that name a key
 */
record RegistrySettings(RedisURI redis, Duration timeout, Duration reconnectMaxDelay, String pushHost, int pushPort,
                        String address, Duration channelTtl, Duration instanceTtl, String keyPrefix, String pushToken,
                        int maxBodyBytes, String node) {

    static final String DEFAULT_REDIS_URL = "redis://localhost:6379";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_RECONNECT_MAX_DELAY = Duration.ofSeconds(3);
    static final int DEFAULT_PUSH_PORT = 9000;
    static final Duration DEFAULT_CHANNEL_TTL = Duration.ofSeconds(60);
    static final String DEFAULT_KEY_PREFIX = "sse:registry:";
    /** 1 MiB of data (the gateway's default max-message-bytes) plus room for the JSON around it, as /api/send. */
    static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024;
    static final Duration MIN_TTL = Duration.ofSeconds(1);

    private static final Set<String> SCHEMES = Set.of(RedisURI.URI_SCHEME_REDIS, RedisURI.URI_SCHEME_REDIS_SECURE,
            RedisURI.URI_SCHEME_REDIS_SECURE_ALT, RedisURI.URI_SCHEME_REDIS_TLS_ALT, RedisURI.URI_SCHEME_REDIS_SENTINEL,
            RedisURI.URI_SCHEME_REDIS_SENTINEL_SECURE);

    static RegistrySettings from(PluginConfig config) {
        Duration timeout = config.getDuration("timeout", DEFAULT_TIMEOUT);
        if (timeout.isZero()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("timeout") + " must be positive");
        }
        Duration reconnectMaxDelay = config.getDuration("reconnect-max-delay", DEFAULT_RECONNECT_MAX_DELAY);
        if (reconnectMaxDelay.toMillis() < 100) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("reconnect-max-delay")
                    + " must be at least 100ms");
        }
        RedisURI redis = parseRedisUrl(config.get("redis-url", DEFAULT_REDIS_URL).trim(), config.keyOf("redis-url"));
        redis.setTimeout(timeout);

        String pushHost = config.get("push-host", "0.0.0.0").trim();
        if (pushHost.isEmpty()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("push-host") + " must not be empty "
                    + "(0.0.0.0 listens on every interface)");
        }
        int pushPort = config.getInt("push-port", DEFAULT_PUSH_PORT);
        if (pushPort < 0 || pushPort > 65535) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("push-port") + ": " + pushPort
                    + " is not a port (0 to 65535; 0 picks a free one)");
        }
        String address = config.get("address").map(String::trim).filter(value -> !value.isEmpty())
                .map(value -> checkAddress(value, config.keyOf("address"))).orElse(null);

        Duration channelTtl = config.getDuration("channel-ttl", DEFAULT_CHANNEL_TTL);
        checkTtl(channelTtl, config.keyOf("channel-ttl"));
        Duration instanceTtl = config.getDuration("instance-ttl", channelTtl);
        checkTtl(instanceTtl, config.keyOf("instance-ttl"));

        String keyPrefix = config.get("key-prefix", DEFAULT_KEY_PREFIX);
        if (keyPrefix.isBlank()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("key-prefix") + " must not be blank");
        }
        String pushToken = config.get("push-token").filter(token -> !token.isBlank()).orElse(null);
        int maxBodyBytes = config.getInt("max-body-bytes", DEFAULT_MAX_BODY_BYTES);
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("max-body-bytes")
                    + " must be at least 1024");
        }
        return new RegistrySettings(redis, timeout, reconnectMaxDelay, pushHost, pushPort, address, channelTtl,
                instanceTtl, keyPrefix, pushToken, maxBodyBytes, config.path());
    }

    /** The full name of one of this node's keys, for messages. */
    String keyOf(String key) {
        return node.isEmpty() ? key : node + "." + key;
    }

    /** The Redis URL for logs and errors (Lettuce masks the password). */
    String redisDisplay() {
        return redis.toString();
    }

    private static void checkTtl(Duration ttl, String key) {
        if (ttl.compareTo(MIN_TTL) < 0) {
            throw new IllegalArgumentException("configuration key " + key + " must be at least 1s, not " + ttl.toMillis()
                    + " ms (entries are refreshed every third of it)");
        }
    }

    /** An absolute http(s) URL with a host, without a trailing slash: what agents prepend to {@code /push}. */
    private static String checkAddress(String value, String key) {
        String expected = "; give the push API's URL as other hosts reach it, for example http://10.0.0.5:9000";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + value + "' is not a URL ("
                    + e.getReason() + ")" + expected);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + value + "' is not an http(s) URL"
                    + expected);
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    /** Parses a Redis URL; an {@link IllegalArgumentException} names {@code key} and what is wrong. */
    static RedisURI parseRedisUrl(String url, String key) {
        if (url.isEmpty()) {
            throw new IllegalArgumentException("configuration key " + key + " must not be empty (for example "
                    + DEFAULT_REDIS_URL + ")");
        }
        int schemeEnd = url.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + redact(url)
                    + "' is not a Redis URL; use redis://host:port[/db], rediss:// (TLS) or redis-sentinel://host:port#master");
        }
        if (url.indexOf(',') >= 0 && !scheme.contains("sentinel")) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + redact(url) + "' lists several "
                    + "nodes, which means Redis Cluster; the registry's scripts read keys of several channels and "
                    + "instances at once and Redis Cluster is not supported. Use a single Redis server or Sentinel");
        }
        try {
            RedisURI uri = RedisURI.create(url);
            if (uri.getDatabase() < 0) {
                throw new IllegalArgumentException("the database must not be negative");
            }
            return uri;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + redact(url)
                    + "' is not a valid Redis URL: " + e.getMessage(), e);
        }
    }

    /** Masks the password of a URL ({@code redis://user:secret@host} → {@code redis://user:***@host}). */
    static String redact(String url) {
        int schemeEnd = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (schemeEnd < 0 || at < schemeEnd) {
            return url;
        }
        String userInfo = url.substring(schemeEnd + 3, at);
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? "" : userInfo.substring(0, colon);
        return url.substring(0, schemeEnd + 3) + user + ":***" + url.substring(at);
    }
}
