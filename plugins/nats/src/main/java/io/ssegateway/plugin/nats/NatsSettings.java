package io.ssegateway.plugin.nats;

import io.nats.client.api.StorageType;
import io.ssegateway.spi.PluginConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The settings the NATS source and storage share, read from their node ({@code gateway.source.nats} or
 * {@code gateway.storage.nats}): where NATS is, and the one JetStream stream that holds every channel.
 *
 * @param servers           the server URLs ({@code url}: one, or several separated by commas)
 * @param timeout           connect and request timeout
 * @param reconnectWait     the wait between reconnection attempts (jittered)
 * @param stream            the stream's name
 * @param subjectPrefix     channel {@code c} is the subject {@code <subjectPrefix>.<token of c>}
 * @param maxMsgsPerSubject events kept per channel
 * @param maxAge            how long an event is kept
 * @param duplicateWindow   how long a business id is remembered for idempotent publishing
 * @param replicas          stream replicas (1, or 3/5 on a NATS cluster)
 * @param storageType       file or memory
 * @param keyOf             the full names of this node's keys, for error messages
 */
record NatsSettings(List<String> servers, Duration timeout, Duration reconnectWait, String stream, String subjectPrefix,
                    long maxMsgsPerSubject, Duration maxAge, Duration duplicateWindow, int replicas,
                    StorageType storageType, UnaryOperator<String> keyOf) {

    /** The type name both the source and the storage register under ({@code gateway.source.type: nats}, ...). */
    static final String PLUGIN_NAME = "nats";
    /** {@code NATS_URL} sets {@code url}, for the source and the storage alike. */
    static final Map<String, String> ENVIRONMENT_ALIASES = Map.of("NATS_URL", "url");
    static final String DEFAULT_URL = "nats://localhost:4222";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_RECONNECT_WAIT = Duration.ofSeconds(1);
    static final String DEFAULT_STREAM = "SSE";
    static final String DEFAULT_SUBJECT_PREFIX = "sse";
    static final long DEFAULT_MAX_MSGS_PER_SUBJECT = 1000;
    static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);
    static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofMinutes(2);

    static NatsSettings from(PluginConfig config) {
        List<String> servers = new ArrayList<>();
        for (String server : config.get("url", DEFAULT_URL).split(",")) {
            String trimmed = server.trim();
            if (!trimmed.isEmpty()) {
                servers.add(checkedServer(config, trimmed));
            }
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("url") + " must name a NATS server");
        }
        Duration timeout = positive(config, "timeout", config.getDuration("timeout", DEFAULT_TIMEOUT));
        Duration reconnectWait = positive(config, "reconnect-wait", config.getDuration("reconnect-wait", DEFAULT_RECONNECT_WAIT));
        String stream = config.get("stream", DEFAULT_STREAM).trim();
        if (stream.isEmpty() || !stream.chars().allMatch(c -> c > ' ' && c < 127 && c != '.' && c != '*' && c != '>'
                && c != '/' && c != '\\')) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("stream") + ": '" + stream
                    + "' is not a valid stream name (printable ASCII without spaces, '.', '*', '>', '/' or '\\')");
        }
        String subjectPrefix = config.get("subject-prefix", DEFAULT_SUBJECT_PREFIX).trim();
        if (!validSubject(subjectPrefix)) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("subject-prefix") + ": '" + subjectPrefix
                    + "' is not a valid subject without wildcards (tokens of printable ASCII separated by '.')");
        }
        long maxMsgs = config.getLong("max-msgs-per-subject", DEFAULT_MAX_MSGS_PER_SUBJECT);
        if (maxMsgs < 1) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("max-msgs-per-subject") + " must be at least 1");
        }
        Duration maxAge = positive(config, "max-age", config.getDuration("max-age", DEFAULT_MAX_AGE));
        Duration duplicateWindow = positive(config, "duplicate-window",
                config.getDuration("duplicate-window", DEFAULT_DUPLICATE_WINDOW.compareTo(maxAge) > 0 ? maxAge : DEFAULT_DUPLICATE_WINDOW));
        if (duplicateWindow.compareTo(maxAge) > 0) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("duplicate-window") + " (" + duplicateWindow
                    + ") must not be longer than " + config.keyOf("max-age") + " (" + maxAge + ")");
        }
        int replicas = config.getInt("replicas", 1);
        if (replicas < 1 || replicas > 5) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("replicas") + " must be 1 to 5");
        }
        StorageType storageType = switch (config.get("storage", "file").trim().toLowerCase(Locale.ROOT)) {
            case "file" -> StorageType.File;
            case "memory" -> StorageType.Memory;
            default -> throw new IllegalArgumentException("configuration key " + config.keyOf("storage") + " must be file or memory");
        };
        return new NatsSettings(List.copyOf(servers), timeout, reconnectWait, stream, subjectPrefix, maxMsgs, maxAge,
                duplicateWindow, replicas, storageType, config::keyOf);
    }

    /** The subject of a channel. */
    String subjectOf(String channelId) {
        return subjectPrefix + "." + Tokens.subjectToken(channelId);
    }

    /** The channel of a subject, or {@code null} if the subject is not {@code <prefix>.<one valid token>}. */
    String channelOf(String subject) {
        if (!subject.startsWith(subjectPrefix) || subject.length() <= subjectPrefix.length() + 1
                || subject.charAt(subjectPrefix.length()) != '.') {
            return null;
        }
        String token = subject.substring(subjectPrefix.length() + 1);
        return token.indexOf('.') >= 0 ? null : Tokens.channelOf(token);
    }

    /** What the stream captures: every channel's subject. */
    String streamSubjects() {
        return subjectPrefix + ".>";
    }

    /** The servers for logs, passwords and tokens hidden. */
    String display() {
        return String.join(",", servers.stream().map(NatsSettings::redacted).toList());
    }

    /** Whether {@code other} names the same servers, stream and subjects (so that the two can share one stream). */
    boolean sameStreamAs(NatsSettings other) {
        return servers.equals(other.servers) && stream.equals(other.stream) && subjectPrefix.equals(other.subjectPrefix);
    }

    String keyOf(String key) {
        return keyOf.apply(key);
    }

    private static String checkedServer(PluginConfig config, String server) {
        try {
            URI uri = new URI(server.contains("://") ? server : "nats://" + server);
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!List.of("nats", "tls", "opentls").contains(scheme) || uri.getHost() == null) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("url") + ": '" + redacted(server)
                        + "' is not a nats://, tls:// or opentls:// URL with a host");
            }
            return server;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("configuration key " + config.keyOf("url") + ": '" + redacted(server)
                    + "' is not a URL (" + e.getReason() + ")");
        }
    }

    private static String redacted(String server) {
        int at = server.lastIndexOf('@');
        int scheme = server.indexOf("://");
        return at < 0 ? server : (scheme < 0 ? "" : server.substring(0, scheme + 3)) + "***@" + server.substring(at + 1);
    }

    private static boolean validSubject(String subject) {
        if (subject.isEmpty()) {
            return false;
        }
        for (String token : subject.split("\\.", -1)) {
            if (token.isEmpty() || token.equals("*") || token.equals(">")
                    || !token.chars().allMatch(c -> c > ' ' && c < 127)) {
                return false;
            }
        }
        return true;
    }

    private static Duration positive(PluginConfig config, String key, Duration value) {
        if (value.toMillis() < 1) {
            throw new IllegalArgumentException("configuration key " + config.keyOf(key) + " must be positive");
        }
        return value;
    }

    @Override
    public String toString() {
        return "NATS " + display() + ", stream " + stream + " (" + streamSubjects() + ", " + maxMsgsPerSubject
                + " per subject, max-age " + maxAge + ", duplicate-window " + duplicateWindow + ", " + replicas
                + " replica(s), " + storageType.toString().toLowerCase(Locale.ROOT) + ")";
    }
}
