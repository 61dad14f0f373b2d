package com.example.embedded;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.ChannelSource;
import io.ssegateway.host.builtin.MemoryStorage;
import io.ssegateway.spi.source.IncomingMessage;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The gateway inside an application: the application publishes in-process ({@link ChannelSource}), decides who may
 * subscribe ({@link TokenAuthenticator}) and learns who is online ({@link PresenceListener}), which it announces on a
 * public channel. Run it, then:
 * <pre>
 * curl -N -H 'Authorization: Bearer alice-token' 'http://localhost:8080/sse/connect?channel_id=user:alice'
 * curl -N -H 'Authorization: Bearer bob-token'   'http://localhost:8080/sse/connect?channel_id=public:presence'
 * </pre>
 * Alice gets the time every 5 seconds on her own channel; Bob sees her come and go on {@code public:presence}.
 */
public final class EmbeddedGateway {

    private static final Logger LOG = Logger.getLogger(EmbeddedGateway.class.getName());

    /** The demo's users: token → user. */
    static final Map<String, String> USERS = Map.of("alice-token", "alice", "bob-token", "bob");

    private EmbeddedGateway() {
    }

    /** The gateway of this application, publishing through {@code source}, not yet built. */
    static Gateway.Builder builder(ChannelSource source) {
        ChannelSource.Sender sender = source.sender();
        PresenceListener presence = new PresenceListener((user, online) -> {
            // never block a connection's thread: trySend drops the notice if the queue is full
            if (!sender.trySend(IncomingMessage.toChannel("public:presence", online ? "online" : "offline", user))) {
                LOG.warning("presence notice for " + user + " dropped: the source's queue is full");
            }
        });
        return Gateway.builder()
                .source(source)
                .storage(new MemoryStorage())       // replay from memory: Last-Event-ID works within this process
                .auth(new TokenAuthenticator(USERS))
                .listener(presence)
                .instanceId("embedded-demo");
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        ChannelSource source = new ChannelSource();
        Gateway gateway = builder(source).port(port).build();

        // the application's own messages: the time for alice every 5 seconds (queued until the gateway runs)
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        clock.scheduleAtFixedRate(() -> source.sender().trySend(
                IncomingMessage.toChannel("user:alice", "time", Instant.now().toString())), 0, 5, TimeUnit.SECONDS);
        LOG.info("Starting on port " + port + "; tokens: " + USERS.keySet());
        try {
            gateway.run();                        // until Ctrl-C: then every stream ends, listeners hear of each
        } finally {
            clock.shutdownNow();
        }
    }
}
