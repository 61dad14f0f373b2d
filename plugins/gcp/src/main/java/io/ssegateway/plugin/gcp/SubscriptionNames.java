package io.ssegateway.plugin.gcp;

import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Names of the per-instance subscriptions of topic mode. */
final class SubscriptionNames {

    static final String PREFIX = "sse-gateway-";
    private static final int MAX_LENGTH = 255;

    private SubscriptionNames() {
    }

    /**
     * {@code sse-gateway-<topic id>-<instance id>} in {@code project}: stable for a given instance id (so a restarted
     * instance with a fixed {@code gateway.instance-id} finds its subscription again), distinct between instances.
     * Characters Pub/Sub does not allow become {@code -}; a name over 255 characters is cut and ends with a hash of
     * the whole, so that two long names still differ.
     */
    static SubscriptionName perInstance(String project, TopicName topic, String instanceId) {
        String name = PREFIX + topic.getTopic() + "-" + sanitize(instanceId);
        if (name.length() > MAX_LENGTH) {
            String hash = sha256(name).substring(0, 12);
            name = name.substring(0, MAX_LENGTH - hash.length() - 1) + "-" + hash;
        }
        return SubscriptionName.of(project, name);
    }

    private static String sanitize(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '%';
            out.append(allowed ? c : '-');
        }
        return out.isEmpty() ? "instance" : out.toString();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
