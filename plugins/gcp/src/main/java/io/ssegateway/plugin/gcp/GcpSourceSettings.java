package io.ssegateway.plugin.gcp;

import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.ssegateway.spi.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The validated configuration of the Pub/Sub source (node {@code gateway.source.gcp}). Exactly one of
 * {@link #subscription} (an existing subscription, shared by whoever uses it) and {@link #topic} (a subscription
 * per gateway instance, created and deleted by the plugin) is set.
 *
 * @param project                   the Google Cloud project that holds the subscriptions
 * @param subscription              the existing subscription to read, or {@code null} in topic mode
 * @param topic                     the topic to subscribe to with a per-instance subscription, or {@code null}
 * @param emulatorEndpoint          {@code host:port} of an emulator (plaintext, no credentials), or {@code null}
 *                                  for Google's endpoint
 * @param credentialsFile           a credentials JSON file (service account key), or {@code null} for Application
 *                                  Default Credentials
 * @param subscriptionExpiration    topic mode: how long an unused per-instance subscription lives
 *                                  ({@link Duration#ZERO} = never expires)
 * @param deleteSubscriptionOnStop  topic mode: delete the per-instance subscription on a clean shutdown
 * @param ackDeadline               the lease of a received message: how long Pub/Sub waits before it redelivers a
 *                                  message whose receiver went silent (the client extends it while the gateway
 *                                  handles the message); also the ack deadline of the subscription topic mode creates
 * @param maxOutstandingMessages    flow control: messages received but not yet acknowledged
 * @param maxOutstandingBytes       flow control: bytes received but not yet acknowledged
 * @param handlerThreads            threads handing messages to the gateway concurrently
 * @param nackDelay                 how long a message whose storing failed is held before it is handed back
 * @param restartBackoff            first wait before re-subscribing after a failure (doubles on each failure)
 * @param restartBackoffMax         longest wait between re-subscribe attempts
 */
public record GcpSourceSettings(
        String project,
        SubscriptionName subscription,
        TopicName topic,
        String emulatorEndpoint,
        Path credentialsFile,
        Duration subscriptionExpiration,
        boolean deleteSubscriptionOnStop,
        Duration ackDeadline,
        long maxOutstandingMessages,
        long maxOutstandingBytes,
        int handlerThreads,
        Duration nackDelay,
        Duration restartBackoff,
        Duration restartBackoffMax) {

    /** The environment variable Google's client libraries read to find an emulator. */
    public static final String EMULATOR_ENV = "PUBSUB_EMULATOR_HOST";

    static final Duration DEFAULT_EXPIRATION = Duration.ofHours(24);
    /** Pub/Sub refuses expiration policies shorter than a day. */
    static final Duration MIN_EXPIRATION = Duration.ofDays(1);
    static final Duration MAX_EXPIRATION = Duration.ofDays(365);
    static final Duration DEFAULT_ACK_DEADLINE = Duration.ofSeconds(60);
    static final long DEFAULT_MAX_OUTSTANDING_MESSAGES = 1000;
    static final long DEFAULT_MAX_OUTSTANDING_BYTES = 100L * 1024 * 1024;
    static final int DEFAULT_HANDLER_THREADS = 5;
    static final Duration DEFAULT_NACK_DELAY = Duration.ofSeconds(1);
    /** Longer than this and the client would have to extend the lease of a message it already gave up on. */
    static final Duration MAX_NACK_DELAY = Duration.ofMinutes(10);
    static final Duration DEFAULT_RESTART_BACKOFF = Duration.ofSeconds(1);
    static final Duration DEFAULT_RESTART_BACKOFF_MAX = Duration.ofSeconds(30);

    private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9.:-]{0,99}");
    // Pub/Sub resource ids: 3-255 characters, a letter first, then letters, digits and - _ . ~ + %
    private static final Pattern RESOURCE_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.~+%-]{2,254}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9.-]+):([0-9]{1,5})");

    /** Whether the plugin manages a subscription of its own for this instance. */
    public boolean topicMode() {
        return topic != null;
    }

    /**
     * Reads and validates the node. Every error is an {@link IllegalArgumentException} that names the full key.
     *
     * @param env the environment (for {@value #EMULATOR_ENV})
     */
    static GcpSourceSettings from(PluginConfig config, Function<String, String> env) {
        String project = config.require("project").trim();
        if (!PROJECT.matcher(project).matches()) {
            throw invalid(config, "project", project, "is not a Google Cloud project id (lower-case letters, digits and hyphens)");
        }
        Optional<String> subscriptionValue = config.get("subscription").map(String::trim).filter(v -> !v.isEmpty());
        Optional<String> topicValue = config.get("topic").map(String::trim).filter(v -> !v.isEmpty());
        if (subscriptionValue.isPresent() == topicValue.isPresent()) {
            throw new IllegalArgumentException("set exactly one of " + config.keyOf("subscription")
                    + " (an existing subscription, shared by the instances that use it) and " + config.keyOf("topic")
                    + " (every instance gets its own subscription and so every message)"
                    + (subscriptionValue.isPresent() ? ", not both" : ""));
        }
        SubscriptionName subscription = subscriptionValue.map(value -> subscriptionName(config, project, value)).orElse(null);
        TopicName topic = topicValue.map(value -> topicName(config, project, value)).orElse(null);

        String endpoint = config.get("endpoint").map(String::trim).filter(v -> !v.isEmpty()).orElse(null);
        String endpointKey = config.keyOf("endpoint");
        if (endpoint == null) {
            String fromEnv = env.apply(EMULATOR_ENV);
            if (fromEnv != null && !fromEnv.isBlank()) {
                endpoint = fromEnv.trim();
                endpointKey = "environment variable " + EMULATOR_ENV;
            }
        }
        if (endpoint != null && !HOST_PORT.matcher(endpoint).matches()) {
            throw new IllegalArgumentException(endpointKey + ": '" + endpoint + "' is not host:port (for example localhost:8085)");
        }

        Path credentialsFile = config.get("credentials-file").map(String::trim).filter(v -> !v.isEmpty()).map(Path::of).orElse(null);
        if (credentialsFile != null && !Files.isReadable(credentialsFile)) {
            throw invalid(config, "credentials-file", credentialsFile.toString(), "is not a readable file");
        }

        Duration expiration = config.getDuration("subscription-expiration", DEFAULT_EXPIRATION);
        if (!expiration.isZero() && (expiration.compareTo(MIN_EXPIRATION) < 0 || expiration.compareTo(MAX_EXPIRATION) > 0)) {
            throw invalid(config, "subscription-expiration", config.get("subscription-expiration").orElse(""),
                    "must be between 1d and 365d (Pub/Sub's limits), or 0 for never");
        }
        Duration ackDeadline = config.getDuration("ack-deadline", DEFAULT_ACK_DEADLINE);
        if (ackDeadline.compareTo(Duration.ofSeconds(10)) < 0 || ackDeadline.compareTo(Duration.ofSeconds(600)) > 0
                || ackDeadline.toMillis() % 1000 != 0) {
            throw invalid(config, "ack-deadline", config.get("ack-deadline").orElse(""),
                    "must be whole seconds between 10s and 600s (Pub/Sub's limits)");
        }
        long maxMessages = config.getLong("max-outstanding-messages", DEFAULT_MAX_OUTSTANDING_MESSAGES);
        if (maxMessages < 1) {
            throw invalid(config, "max-outstanding-messages", Long.toString(maxMessages), "must be at least 1");
        }
        long maxBytes = config.getLong("max-outstanding-bytes", DEFAULT_MAX_OUTSTANDING_BYTES);
        if (maxBytes < 1024) {
            throw invalid(config, "max-outstanding-bytes", Long.toString(maxBytes), "must be at least 1024");
        }
        int threads = config.getInt("handler-threads", DEFAULT_HANDLER_THREADS);
        if (threads < 1 || threads > 256) {
            throw invalid(config, "handler-threads", Integer.toString(threads), "must be between 1 and 256");
        }
        Duration nackDelay = config.getDuration("nack-delay", DEFAULT_NACK_DELAY);
        if (nackDelay.compareTo(MAX_NACK_DELAY) > 0) {
            throw invalid(config, "nack-delay", config.get("nack-delay").orElse(""), "must be at most 10m");
        }
        Duration backoff = config.getDuration("restart-backoff", DEFAULT_RESTART_BACKOFF);
        Duration backoffMax = config.getDuration("restart-backoff-max", DEFAULT_RESTART_BACKOFF_MAX);
        if (backoff.toMillis() < 10) {
            throw invalid(config, "restart-backoff", config.get("restart-backoff").orElse(""), "must be at least 10ms");
        }
        if (backoffMax.compareTo(backoff) < 0) {
            throw invalid(config, "restart-backoff-max", config.get("restart-backoff-max").orElse(""),
                    "must not be shorter than " + config.keyOf("restart-backoff"));
        }
        return new GcpSourceSettings(project, subscription, topic, endpoint, credentialsFile, expiration,
                config.getBoolean("delete-subscription-on-stop", true), ackDeadline, maxMessages, maxBytes, threads, nackDelay,
                backoff, backoffMax);
    }

    private static SubscriptionName subscriptionName(PluginConfig config, String project, String value) {
        if (value.startsWith("projects/")) {
            if (!SubscriptionName.isParsableFrom(value) || !RESOURCE_ID.matcher(SubscriptionName.parse(value).getSubscription()).matches()) {
                throw invalid(config, "subscription", value, "is neither a subscription id nor projects/<project>/subscriptions/<id>");
            }
            return SubscriptionName.parse(value);
        }
        checkResourceId(config, "subscription", value);
        return SubscriptionName.of(project, value);
    }

    private static TopicName topicName(PluginConfig config, String project, String value) {
        if (value.startsWith("projects/")) {
            if (!TopicName.isParsableFrom(value) || !RESOURCE_ID.matcher(TopicName.parse(value).getTopic()).matches()) {
                throw invalid(config, "topic", value, "is neither a topic id nor projects/<project>/topics/<id>");
            }
            return TopicName.parse(value);
        }
        checkResourceId(config, "topic", value);
        return TopicName.of(project, value);
    }

    private static void checkResourceId(PluginConfig config, String key, String value) {
        if (!RESOURCE_ID.matcher(value).matches() || value.startsWith("goog")) {
            throw invalid(config, key, value, "is not a valid Pub/Sub id (3-255 characters: a letter, then letters, digits"
                    + " or - _ . ~ + %; not starting with 'goog'), nor a full projects/... path");
        }
    }

    private static IllegalArgumentException invalid(PluginConfig config, String key, String value, String problem) {
        return new IllegalArgumentException("configuration key " + config.keyOf(key) + ": '" + value + "' " + problem);
    }

    /** One line for the start-up log. */
    String describe() {
        String what = topicMode()
                ? "topic " + topic + " (a subscription per instance, " + (subscriptionExpiration.isZero() ? "never expiring"
                        : "expiring after " + subscriptionExpiration.toHours() + "h unused") + ", "
                        + (deleteSubscriptionOnStop ? "deleted on stop" : "kept on stop") + ")"
                : "subscription " + subscription;
        String where = emulatorEndpoint != null ? "emulator " + emulatorEndpoint + " (plaintext, no credentials)"
                : "Google Cloud" + (credentialsFile != null ? " with credentials from " + credentialsFile
                        : " with Application Default Credentials");
        return what + " on " + where + "; flow control " + maxOutstandingMessages + " messages / "
                + maxOutstandingBytes + " bytes, " + handlerThreads + " handler threads";
    }
}
