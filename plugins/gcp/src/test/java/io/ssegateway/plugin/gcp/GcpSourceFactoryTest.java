package io.ssegateway.plugin.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.pubsub.v1.SubscriptionName;
import com.google.pubsub.v1.TopicName;
import io.ssegateway.host.config.GatewayConfig;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.SourceFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code gateway.source.gcp} maps to settings, and how bad values are refused (naming the full key). */
class GcpSourceFactoryTest {

    private static final Map<String, String> NO_ENVIRONMENT = Map.of();

    private static GcpSourceSettings settings(Map<String, String> values, Map<String, String> environment) {
        PubSubSource source = (PubSubSource) new GcpSourceFactory(environment::get)
                .create(PluginConfig.of("gateway.source.gcp", values));
        return source.settings();
    }

    private static String refusal(Map<String, String> values) {
        return assertThrows(IllegalArgumentException.class,
                () -> new GcpSourceFactory(NO_ENVIRONMENT::get).create(PluginConfig.of("gateway.source.gcp", values))).getMessage();
    }

    private static Map<String, String> with(String... keysAndValues) {
        Map<String, String> values = new HashMap<>(Map.of("project", "my-project", "topic", "events"));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] == null) {
                values.remove(keysAndValues[i]);
            } else {
                values.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return values;
    }

    @Test
    void theFactoryIsFoundByServiceLoaderUnderItsTypeName() {
        SourceFactory factory = ServiceLoader.load(SourceFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.name().equals("gcp")).findFirst().orElseThrow();
        assertInstanceOf(GcpSourceFactory.class, factory);
    }

    @Test
    void defaultsForTopicModeOnGoogleCloud() {
        GcpSourceSettings settings = settings(with(), NO_ENVIRONMENT);
        assertEquals("my-project", settings.project());
        assertEquals(TopicName.of("my-project", "events"), settings.topic());
        assertNull(settings.subscription());
        assertTrue(settings.topicMode());
        assertNull(settings.emulatorEndpoint(), "Google's endpoint unless an emulator is named");
        assertNull(settings.credentialsFile(), "Application Default Credentials");
        assertEquals(Duration.ofHours(24), settings.subscriptionExpiration());
        assertTrue(settings.deleteSubscriptionOnStop());
        assertEquals(Duration.ofSeconds(60), settings.ackDeadline());
        assertEquals(1000, settings.maxOutstandingMessages());
        assertEquals(100L * 1024 * 1024, settings.maxOutstandingBytes());
        assertEquals(5, settings.handlerThreads());
        assertEquals(Duration.ofSeconds(1), settings.nackDelay());
        assertEquals(Duration.ofSeconds(1), settings.restartBackoff());
        assertEquals(Duration.ofSeconds(30), settings.restartBackoffMax());
    }

    @Test
    void everyKeyIsMapped() {
        GcpSourceSettings settings = settings(with(
                "topic", "projects/other-project/topics/shared-events",
                "endpoint", "localhost:8085",
                "subscription-expiration", "48h",
                "delete-subscription-on-stop", "false",
                "ack-deadline", "20s",
                "max-outstanding-messages", "50",
                "max-outstanding-bytes", "1048576",
                "handler-threads", "8",
                "nack-delay", "250ms",
                "restart-backoff", "500ms",
                "restart-backoff-max", "10s"), NO_ENVIRONMENT);
        assertEquals(TopicName.of("other-project", "shared-events"), settings.topic(), "a topic of another project");
        assertEquals("localhost:8085", settings.emulatorEndpoint());
        assertEquals(Duration.ofHours(48), settings.subscriptionExpiration());
        assertFalse(settings.deleteSubscriptionOnStop());
        assertEquals(Duration.ofSeconds(20), settings.ackDeadline());
        assertEquals(50, settings.maxOutstandingMessages());
        assertEquals(1048576, settings.maxOutstandingBytes());
        assertEquals(8, settings.handlerThreads());
        assertEquals(Duration.ofMillis(250), settings.nackDelay());
        assertEquals(Duration.ofMillis(500), settings.restartBackoff());
        assertEquals(Duration.ofSeconds(10), settings.restartBackoffMax());
        assertEquals(Duration.ZERO, settings(with("subscription-expiration", "0"), NO_ENVIRONMENT).subscriptionExpiration(),
                "0 = the subscription never expires");
    }

    @Test
    void aSubscriptionByIdOrFullPath() {
        GcpSourceSettings byId = settings(with("topic", null, "subscription", "gateway-sub"), NO_ENVIRONMENT);
        assertEquals(SubscriptionName.of("my-project", "gateway-sub"), byId.subscription());
        assertFalse(byId.topicMode());
        GcpSourceSettings byPath = settings(with("topic", null, "subscription", "projects/p2/subscriptions/sub-2"), NO_ENVIRONMENT);
        assertEquals(SubscriptionName.of("p2", "sub-2"), byPath.subscription());
    }

    @Test
    void theOriginalGatewaysEnvironmentNamesSetProjectAndSubscription(@TempDir Path home) {
        GatewayConfig config = GatewayConfig.load(home.resolve("absent.yaml"),
                Map.of("GCP_PROJECT", "legacy-project", "PUBSUB_SUBSCRIPTION", "legacy-sub"));
        PubSubSource source = (PubSubSource) new GcpSourceFactory(NO_ENVIRONMENT::get)
                .create(config.node("gateway.source.gcp"));
        assertEquals(SubscriptionName.of("legacy-project", "legacy-sub"), source.settings().subscription());
        assertFalse(source.settings().topicMode());
    }

    @Test
    void theEmulatorEnvironmentVariableIsHonouredAndTheEndpointKeyWins() {
        assertEquals("emulator:8681", settings(with(), Map.of("PUBSUB_EMULATOR_HOST", "emulator:8681")).emulatorEndpoint());
        assertEquals("localhost:9000", settings(with("endpoint", "localhost:9000"),
                Map.of("PUBSUB_EMULATOR_HOST", "emulator:8681")).emulatorEndpoint());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new GcpSourceFactory(
                Map.of("PUBSUB_EMULATOR_HOST", "no-port")::get).create(PluginConfig.of("gateway.source.gcp", with())));
        assertTrue(bad.getMessage().contains("PUBSUB_EMULATOR_HOST"), bad.getMessage());
    }

    @Test
    void aCredentialsFileIsReadWhenTheSourceIsCreated(@TempDir Path dir) throws IOException {
        Path garbage = Files.writeString(dir.resolve("key.json"), "{\"type\": \"not-a-credential\"}");
        String message = refusal(with("credentials-file", garbage.toString()));
        assertTrue(message.contains("gateway.source.gcp.credentials-file"), message);
        String missing = refusal(with("credentials-file", dir.resolve("absent.json").toString()));
        assertTrue(missing.contains("gateway.source.gcp.credentials-file") && missing.contains("not a readable file"), missing);
    }

    @Test
    void badValuesAreRefusedNamingTheirKey() {
        Map<String, Map<String, String>> cases = new java.util.LinkedHashMap<>();
        cases.put("gateway.source.gcp.project", with("project", null));
        cases.put("gateway.source.gcp.project ", with("project", "Not A Project"));
        cases.put("gateway.source.gcp.topic", with("topic", "1-starts-with-a-digit"));
        cases.put("gateway.source.gcp.topic ", with("topic", "goog-reserved"));
        cases.put("gateway.source.gcp.subscription", with("topic", null, "subscription", "projects/p/topics/t"));
        cases.put("gateway.source.gcp.endpoint", with("endpoint", "localhost"));
        cases.put("gateway.source.gcp.subscription-expiration", with("subscription-expiration", "1h"));
        cases.put("gateway.source.gcp.ack-deadline", with("ack-deadline", "5s"));
        cases.put("gateway.source.gcp.max-outstanding-messages", with("max-outstanding-messages", "0"));
        cases.put("gateway.source.gcp.max-outstanding-bytes", with("max-outstanding-bytes", "lots"));
        cases.put("gateway.source.gcp.handler-threads", with("handler-threads", "0"));
        cases.put("gateway.source.gcp.nack-delay", with("nack-delay", "11m"));
        cases.put("gateway.source.gcp.restart-backoff-max", with("restart-backoff", "5s", "restart-backoff-max", "1s"));
        cases.put("gateway.source.gcp.delete-subscription-on-stop", with("delete-subscription-on-stop", "maybe"));
        cases.forEach((key, values) -> {
            String message = refusal(values);
            assertTrue(message.contains(key.trim()), "expected '" + key.trim() + "' in: " + message);
        });
    }

    @Test
    void exactlyOneOfTopicAndSubscription() {
        String both = refusal(with("subscription", "s1"));
        assertTrue(both.contains("gateway.source.gcp.subscription") && both.contains("gateway.source.gcp.topic")
                && both.contains("not both"), both);
        String neither = refusal(with("topic", null));
        assertTrue(neither.contains("gateway.source.gcp.subscription") && neither.contains("gateway.source.gcp.topic"), neither);
    }
}
