package io.ssegateway.plugin.registry;

import io.ssegateway.redis.RedisLink;
import io.ssegateway.spi.CancellationToken;
import io.ssegateway.spi.ConnectionView;
import io.ssegateway.spi.PluginConfig;
import io.ssegateway.spi.lifecycle.ConnectionInfo;
import io.ssegateway.spi.source.MessageHandler;
import io.ssegateway.spi.source.MessageSource;
import io.ssegateway.spi.source.SourceFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Direct push ({@code gateway.source.type: channel-registry}): every gateway instance records in Redis which channels
 * it holds and where its push API listens; backend agents look a channel up and push straight to the instance holding
 * it ({@code POST /push}), or store the message for replay when the user is offline ({@code POST /store}).
 * <p>
 * The source is the push API ({@link PushApi}, port {@code push-port}) plus this instance's share of the registry
 * ({@link Registration}), kept from the connections the gateway reports through {@link #onConnect}/{@link #onDisconnect}.
 * Messages are stored and delivered by the gateway ({@link MessageHandler#handle}): use the Redis storage
 * ({@code gateway.storage.type: redis}) so that a client can replay from any instance.
 * <p>
 * {@link #isAvailable()} is false until the push API listens and everything this instance holds is in Redis, and
 * again while Redis is unreachable; the registry is written again as soon as Redis answers.
 */
public final class ChannelRegistrySource implements MessageSource {

    private static final Logger LOG = Logger.getLogger(ChannelRegistrySource.class.getName());

    private final RegistrySettings settings;
    /** Counted from the first connection on, even before {@link #start}: the registration writes them when it begins. */
    private final HeldChannels held = new HeldChannels();
    private volatile Registration registration;
    private volatile int pushPort = -1;

    ChannelRegistrySource(RegistrySettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "channel-registry";
    }

    /** The push API listens and this instance's channels are all registered in Redis. */
    @Override
    public boolean isAvailable() {
        Registration current = registration;
        return current != null && current.isHealthy();
    }

    /** The port the push API is bound to, or -1 when it is not running (useful with {@code push-port: 0}). */
    public int pushPort() {
        return pushPort;
    }

    /** The URL this instance advertises for its push API, or {@code null} when it is not running. */
    public String address() {
        Registration current = registration;
        return current == null ? null : current.address();
    }

    /** Registers this instance under each channel of the connection (the first connection of a channel does). */
    @Override
    public void onConnect(ConnectionInfo connection) {
        for (String channelId : connection.channelIds()) {
            if (held.add(channelId)) {
                Registration current = registration;
                if (current != null) {
                    current.sync(channelId);
                }
            }
        }
    }

    @Override
    public void onDisconnect(ConnectionInfo connection) {
        for (String channelId : connection.channelIds()) {
            if (held.remove(channelId)) {
                Registration current = registration;
                if (current != null) {
                    current.sync(channelId);
                }
            }
        }
    }

    @Override
    public void start(MessageHandler handler, ConnectionView connections, CancellationToken cancel) throws Exception {
        RedisLink link = new RedisLink(settings.redis(), "channel registry", () -> {
            Registration current = registration;
            if (current != null) {
                current.markDirty();
            }
        });
        ChannelDirectory directory = new ChannelDirectory(link, new RegistryKeys(settings.keyPrefix(), settings.redis().keyLayout()),
                settings.originalKeys());
        PushServer server;
        try {
            server = PushServer.start(settings.pushHost(), settings.pushPort(),
                    new PushApi(handler, connections, directory, settings), settings.keyOf("push-port"),
                    settings.pushLimits());
        } catch (Exception e) {
            link.close();
            throw e;
        }
        Registration started = new Registration(directory, link, held, settings, connections, advertisedAddress(server.port()));
        LOG.info("Channel registry: push API on " + settings.pushHost() + ":" + server.port() + ", advertised as "
                + started.address() + " for instance " + started.instanceId() + "; registry in Redis "
                + settings.redis().display() + " under " + settings.keyPrefix() + " (channel-ttl "
                + settings.channelTtl().toMillis() + " ms, instance-ttl " + settings.instanceTtl().toMillis() + " ms)"
                + (settings.pushToken() == null ? "" : ", push token required"));
        if (settings.pushToken() == null) {
            LOG.warning(settings.keyOf("push-token") + " is not set: the push API listens on " + settings.pushHost()
                    + " only, for processes on this machine. To accept pushes from other hosts (agents, other"
                    + " instances), set a push token and " + settings.keyOf("push-host"));
        }
        // published after the start-up log, so whoever waits for the port also sees what was announced
        registration = started;
        pushPort = server.port();
        link.connect();
        try {
            started.maintain(cancel);
        } finally {
            // a clean shutdown leaves the registry; a failure leaves it to expire (the gateway restarts the source)
            registration = null;
            started.stop(cancel.isCancelled());
            pushPort = -1;
            server.close();
            link.close();
        }
    }

    /** {@code address} if configured, else {@code http://<this host's address>:<port>} (logged, as a guess). */
    private String advertisedAddress(int port) {
        if (settings.address() != null) {
            return settings.address();
        }
        String host = settings.pushHost();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                InetAddress local = InetAddress.getLocalHost();
                host = local instanceof Inet6Address ? "[" + local.getHostAddress() + "]" : local.getHostAddress();
            } catch (UnknownHostException e) {
                host = "127.0.0.1";
            }
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        String guessed = "http://" + host + ":" + port;
        LOG.warning(settings.keyOf("address") + " (GATEWAY_ADDR) is not set; advertising " + guessed
                + " to agents. Set it to the push API's URL as your agents reach it");
        return guessed;
    }

    /**
     * {@code gateway.source.type: channel-registry}; node {@code gateway.source.channel-registry}: {@code redis-url},
     * {@code timeout}, {@code reconnect-max-delay}, {@code push-host}, {@code push-port}, {@code address},
     * {@code channel-ttl}, {@code instance-ttl}, {@code key-prefix}, {@code original-keys}, {@code push-token},
     * {@code max-body-bytes}
     * (see {@link RegistrySettings} and the README).
     */
    public static final class Factory implements SourceFactory {
        @Override
        public String name() {
            return "channel-registry";
        }

        /** The original gateway's environment names for this plugin's settings. */
        @Override
        public Map<String, String> environmentAliases() {
            return Map.of("REDIS_URL", "redis-url", "PUSH_PORT", "push-port", "GATEWAY_ADDR", "address",
                    "CHANNEL_TTL", "channel-ttl");
        }

        @Override
        public MessageSource create(PluginConfig config) {
            return new ChannelRegistrySource(RegistrySettings.from(config));
        }
    }
}
