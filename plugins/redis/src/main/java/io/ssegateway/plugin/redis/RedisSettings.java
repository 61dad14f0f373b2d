package io.ssegateway.plugin.redis;

import io.lettuce.core.RedisURI;
import io.ssegateway.spi.PluginConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How to reach Redis, read the same way for the source ({@code gateway.source.redis}) and the storage
 * ({@code gateway.storage.redis}):
 * <ul>
 *   <li>{@code url} — {@code redis://[[user]:password@]host[:port][/database]}, {@code rediss://…} for TLS,
 *       {@code redis-sentinel://[password@]host[:port][,host2[:port2]][/database]#master}; default
 *       {@code redis://localhost:6379}. {@code REDIS_URL} sets it for both. Redis Cluster is not supported.</li>
 *   <li>{@code timeout} — connect and command timeout, default 2 s.</li>
 *   <li>{@code reconnect-max-delay} — the longest wait between reconnection attempts (they start at 100 ms, double,
 *       and are jittered), default 3 s.</li>
 * </ul>
 *
 * @param uri               the parsed URL
 * @param timeout           connect and command timeout
 * @param reconnectMaxDelay the cap of the reconnection back-off
 */
record RedisSettings(RedisURI uri, Duration timeout, Duration reconnectMaxDelay) {

    static final String DEFAULT_URL = "redis://localhost:6379";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_RECONNECT_MAX_DELAY = Duration.ofSeconds(3);

    private static final Set<String> SCHEMES = Set.of(RedisURI.URI_SCHEME_REDIS, RedisURI.URI_SCHEME_REDIS_SECURE,
            RedisURI.URI_SCHEME_REDIS_SECURE_ALT, RedisURI.URI_SCHEME_REDIS_TLS_ALT, RedisURI.URI_SCHEME_REDIS_SENTINEL,
            RedisURI.URI_SCHEME_REDIS_SENTINEL_SECURE);

    /** Reads {@code url}, {@code timeout} and {@code reconnect-max-delay}; errors name the full key. */
    static RedisSettings from(PluginConfig config) {
        Duration timeout = config.getDuration("timeout", DEFAULT_TIMEOUT);
        if (timeout.isZero()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("timeout") + " must be positive");
        }
        Duration reconnectMaxDelay = config.getDuration("reconnect-max-delay", DEFAULT_RECONNECT_MAX_DELAY);
        if (reconnectMaxDelay.toMillis() < 100) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("reconnect-max-delay")
                    + " must be at least 100ms");
        }
        RedisURI uri = parseUrl(config.get("url", DEFAULT_URL).trim(), config.keyOf("url"));
        uri.setTimeout(timeout);
        return new RedisSettings(uri, timeout, reconnectMaxDelay);
    }

    /** Parses a Redis URL; an {@link IllegalArgumentException} names {@code key} and what is wrong. */
    static RedisURI parseUrl(String url, String key) {
        if (url.isEmpty()) {
            throw new IllegalArgumentException("configuration key " + key + " must not be empty (for example "
                    + DEFAULT_URL + ")");
        }
        int schemeEnd = url.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + redact(url)
                    + "' is not a Redis URL; use redis://host:port[/db], rediss:// (TLS) or redis-sentinel://host:port#master");
        }
        if (url.indexOf(',') >= 0 && !scheme.contains("sentinel")) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + redact(url) + "' lists several "
                    + "nodes, which means Redis Cluster; Redis Cluster is not supported (the publish script needs a "
                    + "channel's stream, its id index and its Pub/Sub message on one node). Use a single Redis server "
                    + "or Sentinel (redis-sentinel://host1:26379,host2:26379#master)");
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

    /** The URL for logs and errors (Lettuce masks the password). */
    String display() {
        return uri.toString();
    }

    /**
     * Whether two settings reach the same data: the same database on the same server, or on the same Sentinel-managed
     * master. Compares what the URLs say (host names are not resolved).
     */
    boolean sameServer(RedisSettings other) {
        return endpoints().equals(other.endpoints()) && uri.getDatabase() == other.uri.getDatabase()
                && java.util.Objects.equals(uri.getSentinelMasterId(), other.uri.getSentinelMasterId());
    }

    private List<String> endpoints() {
        if (!uri.getSentinels().isEmpty()) {
            return uri.getSentinels().stream().map(s -> s.getHost().toLowerCase(Locale.ROOT) + ":" + s.getPort())
                    .sorted().toList();
        }
        return List.of(uri.getHost().toLowerCase(Locale.ROOT) + ":" + uri.getPort());
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
