package io.ssegateway.redis;

import io.lettuce.core.RedisURI;
import io.ssegateway.spi.PluginConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How a plugin reaches Redis, read from its configuration node:
 * <ul>
 *   <li>the URL key (its name is the plugin's: {@code url}, {@code redis-url}) —
 *       {@code redis://[[user]:password@]host[:port][/database]}, {@code rediss://…} for TLS,
 *       {@code redis-sentinel://[password@]host[:port][,host2[:port2]][/database]#master}; default
 *       {@value #DEFAULT_URL}. Several nodes in a {@code redis://} or {@code rediss://} URL
 *       ({@code redis://[[user]:password@]host1:port1,host2:port2,...}) name a Redis Cluster (the seed nodes the
 *       client discovers the others from; database 0 only).</li>
 *   <li>{@code key-layout} — {@code single}, {@code cluster} or {@code auto} (the default: {@code cluster} for a
 *       cluster URL, {@code single} otherwise); see {@link KeyLayout}. A cluster needs the cluster layout.</li>
 *   <li>{@code cluster-refresh-period} — how often a cluster's topology is read again (besides when a redirection
 *       or reconnections suggest it changed), default 2 s.</li>
 *   <li>{@code timeout} — connect and command timeout, default 2 s.</li>
 *   <li>{@code reconnect-max-delay} — the longest wait between reconnection attempts (they start at 100 ms, double,
 *       and are jittered: {@link Backoff}), default 3 s.</li>
 * </ul>
 * Errors name the full key and never show a password.
 *
 * @param uri               the parsed URL
 * @param timeout           connect and command timeout
 * @param reconnectMaxDelay the cap of the reconnection back-off
 * @param clusterNodes      the seed nodes of a Redis Cluster (then {@code uri} is the first); empty otherwise
 * @param keyLayout         how channels' keys are named
 * @param clusterRefreshPeriod how often the cluster's topology is read again (cluster only)
 */
public record RedisSettings(RedisURI uri, Duration timeout, Duration reconnectMaxDelay, List<RedisURI> clusterNodes,
                            KeyLayout keyLayout, Duration clusterRefreshPeriod) {

    public RedisSettings {
        clusterNodes = List.copyOf(clusterNodes);
    }

    public static final String DEFAULT_URL = "redis://localhost:6379";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RECONNECT_MAX_DELAY = Duration.ofSeconds(3);
    public static final Duration DEFAULT_CLUSTER_REFRESH_PERIOD = Duration.ofSeconds(2);

    private static final Set<String> SCHEMES = Set.of(RedisURI.URI_SCHEME_REDIS, RedisURI.URI_SCHEME_REDIS_SECURE,
            RedisURI.URI_SCHEME_REDIS_SECURE_ALT, RedisURI.URI_SCHEME_REDIS_TLS_ALT, RedisURI.URI_SCHEME_REDIS_SENTINEL,
            RedisURI.URI_SCHEME_REDIS_SENTINEL_SECURE);

    /**
     * Reads {@code urlKey}, {@code timeout} and {@code reconnect-max-delay} of {@code config}.
     *
     * @throws IllegalArgumentException a value is invalid; the message names the full key
     */
    public static RedisSettings from(PluginConfig config, String urlKey) {
        Duration timeout = config.getDuration("timeout", DEFAULT_TIMEOUT);
        if (timeout.isZero()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("timeout") + " must be positive");
        }
        Duration reconnectMaxDelay = config.getDuration("reconnect-max-delay", DEFAULT_RECONNECT_MAX_DELAY);
        if (reconnectMaxDelay.compareTo(Backoff.FIRST) < 0) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("reconnect-max-delay")
                    + " must be at least " + Backoff.FIRST.toMillis() + "ms");
        }
        String url = config.get(urlKey, DEFAULT_URL).trim();
        List<RedisURI> nodes = isClusterUrl(url) ? parseClusterUrl(url, config.keyOf(urlKey)) : List.of();
        RedisURI uri = nodes.isEmpty() ? parseUrl(url, config.keyOf(urlKey)) : nodes.getFirst();
        for (RedisURI each : nodes.isEmpty() ? List.of(uri) : nodes) {
            each.setTimeout(timeout);
        }
        String layout = config.get("key-layout", "auto").trim().toLowerCase(Locale.ROOT);
        KeyLayout keyLayout = switch (layout) {
            case "auto" -> nodes.isEmpty() ? KeyLayout.SINGLE : KeyLayout.CLUSTER;
            case "single" -> KeyLayout.SINGLE;
            case "cluster" -> KeyLayout.CLUSTER;
            default -> throw new IllegalArgumentException("configuration key " + config.keyOf("key-layout") + ": '"
                    + layout + "' is not a key layout; use auto, single or cluster");
        };
        if (keyLayout == KeyLayout.SINGLE && !nodes.isEmpty()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("key-layout") + " is single, but "
                    + config.keyOf(urlKey) + " names a Redis Cluster, whose scripts need every key of a channel in one "
                    + "slot: use key-layout cluster (or auto)");
        }
        Duration refresh = config.getDuration("cluster-refresh-period", DEFAULT_CLUSTER_REFRESH_PERIOD);
        if (refresh.toMillis() < 100) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("cluster-refresh-period")
                    + " must be at least 100ms");
        }
        return new RedisSettings(uri, timeout, reconnectMaxDelay, nodes, keyLayout, refresh);
    }

    /** Connected to a Redis Cluster (through its seed nodes). */
    public boolean isCluster() {
        return !clusterNodes.isEmpty();
    }

    /** Through Redis Sentinel, which names the current master. */
    public boolean isSentinel() {
        return !uri.getSentinels().isEmpty();
    }

    /** A {@code redis://} or {@code rediss://} URL with several hosts. */
    private static boolean isClusterUrl(String url) {
        int schemeEnd = url.indexOf("://");
        return schemeEnd > 0 && url.indexOf(',') > 0 && !url.substring(0, schemeEnd).toLowerCase(Locale.ROOT).contains("sentinel");
    }

    /**
     * {@code redis://[userinfo@]host1:port1,host2:port2[/0]}: one URI per seed node, each with the user info and
     * scheme of the whole.
     */
    private static List<RedisURI> parseClusterUrl(String url, String key) {
        int schemeEnd = url.indexOf("://");
        String scheme = url.substring(0, schemeEnd);
        String rest = url.substring(schemeEnd + 3);
        int at = rest.lastIndexOf('@');
        String userInfo = at < 0 ? "" : rest.substring(0, at + 1);
        String hostsAndPath = rest.substring(at + 1);
        if (hostsAndPath.contains("://")) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + redact(url) + "' repeats the "
                    + "scheme; list a cluster's nodes after one: " + scheme + "://host1:port1,host2:port2");
        }
        int slash = hostsAndPath.indexOf('/');
        String hosts = slash < 0 ? hostsAndPath : hostsAndPath.substring(0, slash);
        String path = slash < 0 ? "" : hostsAndPath.substring(slash);
        if (!path.isEmpty() && !path.equals("/") && !path.equals("/0")) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + redact(url) + "' names a Redis "
                    + "Cluster, which has only database 0; drop " + path);
        }
        List<RedisURI> nodes = new ArrayList<>();
        for (String host : hosts.split(",", -1)) {
            if (host.isBlank()) {
                throw new IllegalArgumentException("configuration key " + key + ": '" + redact(url) + "' has an empty "
                        + "node in its list (redis://host1:port1,host2:port2)");
            }
            nodes.add(parseUrl(scheme + "://" + userInfo + host.trim(), key));
        }
        return nodes;
    }

    /** Parses a Redis URL; an {@link IllegalArgumentException} names {@code key} and what is wrong. */
    private static RedisURI parseUrl(String url, String key) {
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
    public String display() {
        if (isCluster()) {
            return "cluster " + clusterNodes.stream().map(node -> node.getHost() + ":" + node.getPort()).toList();
        }
        return uri.toString();
    }

    /**
     * Whether two settings reach the same data: the same database on the same server, or on the same Sentinel-managed
     * master. Compares what the URLs say (host names are not resolved).
     */
    public boolean sameServer(RedisSettings other) {
        return endpoints().equals(other.endpoints()) && uri.getDatabase() == other.uri.getDatabase()
                && Objects.equals(uri.getSentinelMasterId(), other.uri.getSentinelMasterId());
    }

    private List<String> endpoints() {
        if (isCluster()) {
            return clusterNodes.stream().map(s -> s.getHost().toLowerCase(Locale.ROOT) + ":" + s.getPort()).sorted()
                    .toList();
        }
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
