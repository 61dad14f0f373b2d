package com.example.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ssegateway.host.Gateway;
import io.ssegateway.host.builtin.ChannelSource;
import io.ssegateway.host.testkit.Gateways;
import io.ssegateway.host.testkit.SseClient;
import io.ssegateway.spi.source.IncomingMessage;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The embedding example as its users meet it: over real SSE connections. */
class EmbeddedGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Gateways gateways = new Gateways();

    private final ChannelSource source = new ChannelSource();

    private Gateway start() {
        // a quick keep-alive, so that a client that leaves is noticed within a fraction of a second
        return gateways.start(EmbeddedGateway.builder(source).host("127.0.0.1").port(0)
                .keepAliveInterval(Duration.ofMillis(200)).shutdownGrace(Duration.ofSeconds(1)));
    }

    @Test
    void theAuthenticatorLetsAUserReadItsOwnAndPublicChannelsOnly() throws Exception {
        int port = start().port();
        try (SseClient anonymous = SseClient.subscribe(port, "user:alice");
             SseClient bobOnAlice = SseClient.connect(port, "/sse/connect?channel_id=user:alice",
                     SseClient.options().header("Authorization", "Bearer bob-token"))) {
            assertEquals(401, anonymous.status());
            assertEquals(403, bobOnAlice.status());
        }
        try (SseClient alice = SseClient.connect(port, "/sse/connect?channel_id=user:alice",
                SseClient.options().header("Cookie", "token=alice-token"))) {
            assertEquals(200, alice.status());
            source.sender().send(IncomingMessage.toChannel("user:alice", "time", "12:00"));
            SseClient.Event event = alice.awaitMessages(1, WAIT).get(0);
            assertEquals("time", event.type());
            assertEquals("12:00", event.data());
        }
    }

    @Test
    void thePresenceListenerAnnouncesUsersComingAndGoing() throws Exception {
        int port = start().port();
        // a browser's way: EventSource sends no headers, the token goes in the query
        try (SseClient bob = SseClient.connect(port, "/sse/connect?channel_id=public:presence&token=bob-token",
                SseClient.options())) {
            assertEquals(200, bob.status());
            assertEquals("bob", bob.awaitMessages(1, WAIT).get(0).data(), "bob's own arrival");
            try (SseClient alice = SseClient.connect(port, "/sse/connect?channel_id=user:alice",
                    SseClient.options().header("Authorization", "Bearer alice-token"))) {
                assertEquals(200, alice.status());
                SseClient.Event online = bob.awaitMessages(2, WAIT).get(1);
                assertEquals("online", online.type());
                assertEquals("alice", online.data());
            }
            SseClient.Event offline = bob.awaitMessages(3, WAIT).get(2);
            assertEquals("offline", offline.type());
            assertEquals("alice", offline.data());
            assertEquals(3, bob.messages().size(), bob.messages().toString());
        }
    }
}
