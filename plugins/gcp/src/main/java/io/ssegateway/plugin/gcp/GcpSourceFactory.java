package io.ssegateway.plugin.gcp;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.pubsub.v1.SubscriptionAdminSettings;
import com.google.cloud.pubsub.v1.stub.SubscriberStubSettings;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.source.SourceFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * {@code gateway.source.type: gcp}: a Google Cloud Pub/Sub source configured from {@code gateway.source.gcp}
 * (see {@link GcpSourceSettings} and the plugin's README for the keys). Validates everything here, reads the
 * credentials file if one is given, and never touches the network.
 */
public final class GcpSourceFactory implements SourceFactory {

    private static final Logger LOG = Logger.getLogger(GcpSourceFactory.class.getName());

    private final Function<String, String> environment;

    public GcpSourceFactory() {
        this(System::getenv);
    }

    /** For tests: the environment to read {@code PUBSUB_EMULATOR_HOST} from. */
    GcpSourceFactory(Function<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String name() {
        return "gcp";
    }

    /** The original gateway's environment names for this plugin's settings. */
    @Override
    public Map<String, String> environmentAliases() {
        return Map.of("GCP_PROJECT", "project", "PUBSUB_SUBSCRIPTION", "subscription");
    }

    @Override
    public MessageSource create(PluginConfig config) {
        GcpSourceSettings settings = GcpSourceSettings.from(config, environment);
        if (!settings.topicMode()) {
            for (String topicModeKey : List.of("subscription-expiration", "delete-subscription-on-stop")) {
                if (config.get(topicModeKey).isPresent()) {
                    LOG.warning(config.keyOf(topicModeKey) + " applies to topic mode only (the subscription the plugin"
                            + " creates); with " + config.keyOf("subscription") + " it is ignored");
                }
            }
        }
        return new PubSubSource(settings, credentials(settings, config));
    }

    private static CredentialsProvider credentials(GcpSourceSettings settings, PluginConfig config) {
        if (settings.emulatorEndpoint() != null) {
            if (settings.credentialsFile() != null) {
                LOG.warning(config.keyOf("credentials-file") + " is ignored: the emulator at "
                        + settings.emulatorEndpoint() + " takes no credentials");
            }
            return NoCredentialsProvider.create();
        }
        if (settings.credentialsFile() != null) {
            try (InputStream in = Files.newInputStream(settings.credentialsFile())) {
                GoogleCredentials loaded = GoogleCredentials.fromStream(in)
                        .createScoped(SubscriberStubSettings.getDefaultServiceScopes());
                return FixedCredentialsProvider.create(loaded);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("configuration key " + config.keyOf("credentials-file")
                        + ": cannot read Google credentials from " + settings.credentialsFile() + ": " + e.getMessage(), e);
            }
        }
        // Application Default Credentials, looked up when the source starts (on GCE this asks the metadata server)
        return SubscriptionAdminSettings.defaultCredentialsProviderBuilder().build();
    }
}
