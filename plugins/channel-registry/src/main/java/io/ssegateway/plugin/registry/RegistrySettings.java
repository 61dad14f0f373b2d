package io.ssegateway.plugin.registry;

import io.ssegateway.redis.RedisSettings;
import io.ssegateway.spi.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * The configuration of the channel registry, node {@code gateway.source.channel-registry}. Every error names the full
 * key. See the plugin README for the table.
 *
 * @param redis             the Redis holding the registry ({@code redis-url}, {@code REDIS_URL}; {@code timeout},
 *                          {@code reconnect-max-delay})
 * @param pushHost          the address the push API binds ({@code push-host})
 * @param pushPort          the port of the push API, 0 for any free port ({@code push-port}, {@code PUSH_PORT})
 * @param address           the push API's URL as other hosts reach it, or {@code null} to derive it from this host's
 *                          address and the bound port ({@code address}, {@code GATEWAY_ADDR}: a URL, or the
 *                          original's {@code host:port} meaning {@code http://host:port})
 * @param channelTtl        how long a channel membership lives without a refresh ({@code channel-ttl}, {@code CHANNEL_TTL})
 * @param instanceTtl       how long an instance record lives without a heartbeat ({@code instance-ttl})
 * @param keyPrefix         the prefix of every registry key ({@code key-prefix})
 * @param originalKeys      whether the original gateway's {@code channel:<id>:gateway} keys are written too
 *                          ({@code original-keys})
 * @param pushToken         the bearer token the push API requires, or {@code null} for none ({@code push-token})
 * @param maxBodyBytes      the largest request body the push API reads ({@code max-body-bytes})
 * @param pushLimits        connections the push port holds at once ({@code push-max-connections}) and its request
 *                          timeouts ({@code push-request-header-timeout}, {@code push-request-body-timeout},
 *                          {@code push-idle-timeout})
 * @param node              the configuration node, for messages that name a key
 */
record RegistrySettings(RedisSettings redis, String pushHost, int pushPort, String address, Duration channelTtl,
                        Duration instanceTtl, String keyPrefix, boolean originalKeys, String pushToken, int maxBodyBytes,
                        PushServer.Limits pushLimits, String node) {

    static final int DEFAULT_PUSH_PORT = 9000;
    static final Duration DEFAULT_CHANNEL_TTL = Duration.ofSeconds(60);
    static final String DEFAULT_KEY_PREFIX = "sse:registry:";
    /** 1 MiB of data (the gateway's default max-message-bytes) plus room for the JSON around it, as /api/send. */
    static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024;
    static final Duration MIN_TTL = Duration.ofSeconds(1);
    private static final java.util.regex.Pattern LOOPBACK =
            java.util.regex.Pattern.compile("localhost|127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|\\[?::1]?");
    static final Duration DEFAULT_PUSH_HEADER_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_PUSH_BODY_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_PUSH_IDLE_TIMEOUT = Duration.ofSeconds(60);

    static RegistrySettings from(PluginConfig config) {
        RedisSettings redis = RedisSettings.from(config, "redis-url");

        String pushToken = config.get("push-token").map(String::trim).filter(token -> !token.isEmpty()).orElse(null);
        // closed by default, like the admin API: without a token only this machine may push
        String pushHost = config.get("push-host", pushToken == null ? "127.0.0.1" : "0.0.0.0").trim();
        if (pushHost.isEmpty()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("push-host") + " must not be empty "
                    + "(0.0.0.0 listens on every interface)");
        }
        if (pushToken == null && !isLoopback(pushHost)) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("push-host") + " is " + pushHost
                    + ", beyond this machine, but " + config.keyOf("push-token") + " is not set: anyone who reaches the"
                    + " port could push to any channel and list every channel and instance. Set a push token, or leave "
                    + config.keyOf("push-host") + " unset (127.0.0.1)");
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
        if (redis.keyLayout() == io.ssegateway.redis.KeyLayout.CLUSTER && (keyPrefix.contains("{") || keyPrefix.contains("}"))) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("key-prefix") + " must not contain { "
                    + "or } in the cluster key layout: the keys' hash tags follow it");
        }
        int maxBodyBytes = config.getInt("max-body-bytes", DEFAULT_MAX_BODY_BYTES);
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("max-body-bytes")
                    + " must be at least 1024");
        }
        boolean originalKeys = config.getBoolean("original-keys", true);
        return new RegistrySettings(redis, pushHost, pushPort, address, channelTtl, instanceTtl, keyPrefix, originalKeys,
                pushToken, maxBodyBytes, pushLimits(config), config.path());
    }

    private static PushServer.Limits pushLimits(PluginConfig config) {
        int maxConnections = config.getInt("push-max-connections", defaultPushMaxConnections());
        if (maxConnections < 1) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("push-max-connections")
                    + " must be at least 1");
        }
        Duration header = positive(config, "push-request-header-timeout", DEFAULT_PUSH_HEADER_TIMEOUT);
        Duration body = positive(config, "push-request-body-timeout", DEFAULT_PUSH_BODY_TIMEOUT);
        Duration idle = positive(config, "push-idle-timeout", DEFAULT_PUSH_IDLE_TIMEOUT);
        return new PushServer.Limits(maxConnections, header, body, idle);
    }

    /**
     * An eighth of the open-files limit, between 8 and 128: the push port is for a few backends, and what it holds
     * comes out of the reserve the gateway keeps below the limit for everything but its own listener.
     */
    static int defaultPushMaxConnections() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return (int) Math.max(8, Math.min(128, unix.getMaxFileDescriptorCount() / 8));
        }
        return 128;
    }

    private static Duration positive(PluginConfig config, String key, Duration defaultValue) {
        Duration value = config.getDuration(key, defaultValue);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf(key) + " must be positive");
        }
        return value;
    }

    /** The full name of one of this node's keys, for messages. */
    String keyOf(String key) {
        return node.isEmpty() ? key : node + "." + key;
    }

    private static void checkTtl(Duration ttl, String key) {
        if (ttl.compareTo(MIN_TTL) < 0) {
            throw new IllegalArgumentException("configuration key " + key + " must be at least 1s, not " + ttl.toMillis()
                    + " ms (entries are refreshed every third of it)");
        }
    }

    /**
     * An absolute http(s) URL with a host, without a trailing slash: what agents prepend to {@code /push}. The original
     * gateway's {@code host:port} form means {@code http://host:port}.
     */
    private static String checkAddress(String value, String key) {
        String expected = "; give the push API's URL as other hosts reach it, for example http://10.0.0.5:9000, or "
                + "host:port as the original gateway took it (10.0.0.5:9000)";
        boolean hostAndPort = !value.contains("://");
        URI uri;
        try {
            uri = new URI(hostAndPort ? "http://" + value : value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + value + "' is not a URL ("
                    + e.getReason() + ")" + expected);
        }
        if (hostAndPort) {
            if (uri.getHost() == null || uri.getPort() < 0 || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("configuration key " + key + ": '" + value
                        + "' is neither a URL nor host:port" + expected);
            }
            return uri.toString();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("configuration key " + key + ": '" + value + "' is not an http(s) URL"
                    + expected);
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    /**
     * {@code url} in the original gateway's form, {@code host:port}, which its agents turn into
     * {@code http://host:port/push}: an http URL without a path gives its host and port (80 if it has none); any other
     * URL (https, a path) stays as it is.
     */
    static String hostAndPort(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return url; // written by another instance: shown as it is
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getRawAuthority() == null || uri.getRawUserInfo() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null) {
            return url;
        }
        String host = uri.getHost() != null && uri.getHost().contains(":") && !uri.getHost().startsWith("[")
                ? "[" + uri.getHost() + "]" : uri.getHost();
        return host + ":" + (uri.getPort() < 0 ? 80 : uri.getPort());
    }

    /** Whether a bind address is this machine's loopback interface (by its spelling: no name is looked up). */
    static boolean isLoopback(String host) {
        return LOOPBACK.matcher(host.toLowerCase(java.util.Locale.ROOT)).matches();
    }
}
