package io.ssegateway.plugin.nats;

import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.SseEvent;
import io.ssegateway.spi.storage.MessageStorage;
import io.ssegateway.spi.storage.Replay;
import io.ssegateway.spi.storage.StorageFactory;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Replay history in one NATS JetStream stream shared by every gateway instance ({@code gateway.storage.type: nats}).
 * <p>
 * Channel {@code c} is the subject {@code <subject-prefix>.<token of c>} of the stream {@code <stream>}, which keeps
 * {@code max-msgs-per-subject} messages per channel for at most {@code max-age}; stream ids are stream sequences, so
 * they increase per channel (and across channels) whatever the number of instances. Appending is idempotent on the
 * business id within {@code duplicate-window} (JetStream's {@code Nats-Msg-Id}). Replay after an id gives the later
 * events of the channel if the id is retained on it, or if it is the channel's last evicted message; otherwise a gap
 * with everything retained. See {@link ChannelLog} for the message layout.
 */
public final class NatsStreamStorage implements MessageStorage {

    private static final Logger LOG = Logger.getLogger(NatsStreamStorage.class.getName());

    private final ChannelLog log;

    NatsStreamStorage(NatsSettings settings) {
        this.log = new ChannelLog(new NatsLink(settings, "stream storage"));
    }

    @Override
    public String append(String channelId, SseEvent event) {
        return Long.toString(log.append(channelId, event));
    }

    @Override
    public Replay messagesAfter(String channelId, String lastEventId, int maxBytes) {
        return log.messagesAfter(channelId, lastEventId, maxBytes);
    }

    /** One request, not a walk through the history (what the default does). */
    @Override
    public String lastId(String channelId) {
        return log.lastIdOf(channelId);
    }

    @Override
    public int compareIds(String a, String b) {
        return ChannelLog.compareIds(a, b);
    }

    @Override
    public boolean isAvailable() {
        return log.link().isAvailable();
    }

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public void close() {
        log.link().close();
    }

    /** The stream, for the NATS source that shares it. */
    ChannelLog log() {
        return log;
    }

    NatsSettings settings() {
        return log.link().settings();
    }

    /**
     * {@code gateway.storage.type: nats}; node {@code gateway.storage.nats}: {@code url}, {@code timeout},
     * {@code reconnect-wait}, {@code stream}, {@code subject-prefix}, {@code max-msgs-per-subject}, {@code max-age},
     * {@code duplicate-window}, {@code replicas}, {@code storage} (see {@link NatsSettings}).
     */
    public static final class Factory implements StorageFactory {
        @Override
        public String name() {
            return NatsSettings.PLUGIN_NAME;
        }

        @Override
        public Map<String, String> environmentAliases() {
            return NatsSettings.ENVIRONMENT_ALIASES;
        }

        @Override
        public MessageStorage create(PluginConfig config) {
            NatsSettings settings = NatsSettings.from(config);
            LOG.info("NATS stream storage: " + settings);
            return new NatsStreamStorage(settings);
        }
    }
}
