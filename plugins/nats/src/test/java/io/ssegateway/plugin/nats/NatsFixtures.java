package io.ssegateway.plugin.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.ssegateway.host.Gateway;
import io.ssegateway.host.testkit.Http;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.host.testkit.TestGateways;
import io.ssegateway.spi.PluginConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Storages, sources and gateways on a test {@link NatsServer}, built through the factories as configuration does. */
final class NatsFixtures {

    private NatsFixtures() {
    }

    /** A NATS storage; {@code settings} are extra keys of {@code gateway.storage.nats}. */
    static NatsStreamStorage storage(NatsServer nats, String... settings) {
        return (NatsStreamStorage) new NatsStreamStorage.Factory()
                .create(PluginConfig.of("gateway.storage.nats", config(nats, settings)));
    }

    /** A NATS source; {@code settings} are extra keys of {@code gateway.source.nats}. */
    static NatsSource source(NatsServer nats, String... settings) {
        return (NatsSource) new NatsSource.Factory().create(PluginConfig.of("gateway.source.nats", config(nats, settings)));
    }

    /** A started gateway with the NATS source and storage (shared mode). */
    static Gateway gateway(NatsServer nats, String... settings) {
        return TestGateways.builder().source(source(nats, settings)).storage(storage(nats, settings)).build().start();
    }

    /** Waits until the gateway's source consumes and its storage is available ({@code /ready} says 200). */
    static void awaitReady(Gateway gateway) {
        SseClient.awaitCondition(() -> Http.get(gateway.port(), "/ready").status() == 200, Duration.ofSeconds(15),
                () -> "gateway on port " + gateway.port() + " not ready: " + Http.get(gateway.port(), "/ready").body());
    }

    /** Publishes on a subject the way an external publisher does with a plain client. */
    static long publishExternally(NatsServer nats, String subject, String eventType, String data)
            throws IOException, InterruptedException, JetStreamApiException {
        try (Connection connection = Nats.connect(nats.url())) {
            Headers headers = new Headers();
            if (eventType != null) {
                headers.put(ChannelLog.EVENT_HEADER, eventType);
            }
            return connection.jetStream().publish(NatsMessage.builder().subject(subject).headers(headers)
                    .data(data.getBytes(StandardCharsets.UTF_8)).build()).getSeqno();
        }
    }

    /** How many messages the stream holds on {@code subject}. */
    static long messagesOn(NatsServer nats, String stream, String subject) throws Exception {
        try (Connection connection = Nats.connect(nats.url())) {
            return connection.jetStreamManagement().getStreamInfo(stream,
                    io.nats.client.api.StreamInfoOptions.filterSubjects(subject)).getStreamState().getSubjectMap()
                    .getOrDefault(subject, 0L);
        }
    }

    static Map<String, String> config(NatsServer nats, String... settings) {
        if (settings.length % 2 != 0) {
            throw new IllegalArgumentException("settings are key, value pairs");
        }
        Map<String, String> values = new HashMap<>();
        values.put("url", nats.url());
        values.put("timeout", "2s");
        values.put("reconnect-wait", "200ms");
        for (int i = 0; i < settings.length; i += 2) {
            values.put(settings[i], settings[i + 1]);
        }
        return values;
    }
}
